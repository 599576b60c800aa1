import { en } from "./i18n/en";
import { formatMessage } from "./i18n/format";

// The closed set of error codes that may cross a boundary (IPC, CLI, logs).
// Each code's human text lives in the message catalogs (shared/i18n), keyed `error.<code>`,
// with `{name}` placeholders filled from `params`.

export const errorCodes = [
  // input and parsing
  'input.too_large',
  'input.empty',
  'input.not_certificate',
  'input.unreadable_file',
  'input.too_many_files',
  'input.kdf_too_costly',
  'input.too_slow',
  'input.nothing_found',
  'pem.corrupt_base64',
  'pem.unterminated_block',
  'pem.unsupported_block',
  'der.malformed',
  'cert.malformed',
  'key.malformed',
  'key.unsupported',
  'key.password_required',
  'key.wrong_password',
  'pkcs12.password_required',
  'pkcs12.wrong_password',
  'pkcs12.malformed',
  'pkcs7.malformed',
  // vault
  'vault.not_found',
  'vault.ambiguous_id',
  'vault.locked',
  'vault.busy',
  'vault.key_unrecoverable',
  'vault.schema_too_new',
  'vault.nothing_to_import',
  'vault.key_without_certificate',
  'export.write_failed',
  'export.no_chain',
  'keychain.unavailable',
  'keychain.data_key_missing',
  // renewal lineage and data key reset (issue 8 §5/§6)
  'vault.ambiguous_name',
  // two members editing the same entry (issue 11 §3)
  'library.edit_conflict',
  'keychain.reset_not_needed',
  'keychain.reset_cancelled',
  'export.no_key',
  'export.password_required',
  // accounts and clouds
  'account.not_found',
  'account.exists',
  'account.invalid',
  'account.secret_missing',
  'account.env_missing',
  'account.region_required',
  'account.endpoint_not_confirmed',
  // cloud accounts on a team vault (accounts/team-secret.ts)
  'account.personal_of_member',
  'account.shared_needs_team',
  'account.shared_unreadable',
  // keys go only where the user agreed (accounts/account-confirmation.ts); vault backup files (core/backup)
  'account.not_confirmed',
  'backup.passphrase_too_short',
  'backup.not_a_backup',
  'backup.too_new',
  'backup.wrong_passphrase',
  'backup.corrupt',
  'backup.vault_not_empty',
  'cloud.validation',
  'cloud.auth',
  'cloud.throttled',
  'cloud.invalid',
  'cloud.conflict',
  'cloud.server',
  'cloud.network',
  'cloud.timeout',
  'upload.no_targets',
  'upload.job_not_found',
  'upload.job_running',
  'upload.in_progress',
  'upload.blocked',
  'upload.bad_material',
  // expiry alerts: webhooks (core/alerts)
  'alert.not_found',
  'alert.exists',
  'alert.invalid',
  'alert.secret_missing',
  'alert.none_configured',
  'alert.send_failed',
  'inventory.copy_not_found',
  'inventory.no_certificate',
  'inventory.sync_running',
  // deploying a renewed certificate where the old one serves (core/deploy)
  'deploy.nothing_to_deploy',
  'deploy.running',
  'deploy.unresolved',
  'deploy.not_found',
  'deploy.unsupported',
  'deploy.in_place_unsupported',
  'deploy.old_key_missing',
  'deploy.not_covered',
  'deploy.still_bound',
  'deploy.retire_unsupported',
  'deploy.verify_unavailable',
  'deploy.outcome_unknown',
  'deploy.retire_unknown',
  'deploy.retire_not_done',
  'deploy.nothing_to_roll_back',
  'deploy.not_finished',
  'deploy.bind_unknown',
  // what a TLS server serves (core/tls): check-served, deploy verification
  'tls.invalid_domain',
  'tls.invalid_port',
  'tls.invalid_address',
  'tls.resolve_failed',
  'tls.unreachable',
  'tls.handshake_failed',
  'tls.timeout',
  'tls.chain_too_large',
  'tls.not_yet_served',
  // team vault on PostgreSQL (core/team)
  'team.invalid_url',
  'team.unreachable',
  'team.auth_failed',
  'team.tls_failed',
  'team.ca_unreadable',
  'team.password_missing',
  'team.database_error',
  'team.schema_missing',
  'team.schema_outdated',
  'team.schema_too_new',
  'team.exists',
  'team.name_taken',
  'team.not_found',
  'team.none_selected',
  'team.request_not_found',
  'team.phrase_mismatch',
  'team.not_admin',
  'team.not_member',
  'team.member_not_found',
  'team.member_ambiguous',
  'team.last_admin',
  'team.no_team_key',
  // a team vault in use as the vault (core/team/vault-context.ts, roles.ts)
  'team.viewer_no_key',
  'team.role_required',
  'team.member_removed',
  'team.local_only',
  // a team vault out of reach: its local copy, read-only (core/team/offline)
  'team.offline',
  'team.connection_lost',
  'team.offline_role_unknown',
  'team.not_in_use',
  // team vault keys and audit log (core/team/crypto)
  'team.key_unwrap_failed',
  'team.member_key_missing',
  'team.member_key_corrupt',
  'team.reseal_failed',
  'team.audit_genesis_forged',
  'team.audit_row_changed',
  'team.audit_row_removed',
  'team.audit_row_reordered',
  'team.audit_failed',
  // IPC and generic
  'ipc.bad_request',
  'ipc.forbidden_sender',
  'ipc.path_not_chosen',
  'ipc.unknown_channel',
  'cancelled',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export type ErrorParams = Readonly<Record<string, string | number>>;

/** What crosses IPC and what the CLI prints: never a stack, never a secret. */
export interface ErrorInfo {
  readonly code: ErrorCode;
  /** English text, already filled in; the renderer re-renders it from `code` + `params` in the user's language. */
  readonly message: string;
  readonly params: ErrorParams;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorInfo };

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}

/**
 * The one error type core code throws. The IPC layer and the CLI turn it into `ErrorInfo`;
 * anything else thrown becomes `internal`.
 */
export class VaultError extends Error {
  readonly code: ErrorCode;
  readonly params: ErrorParams;

  constructor(code: ErrorCode, params: ErrorParams = {}) {
    super(formatMessage(en[`error.${code}`], params));
    this.name = 'VaultError';
    this.code = code;
    this.params = params;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, params: this.params };
  }
}
