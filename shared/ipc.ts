import { z } from 'zod';
import { channelNames, eventNames, isChannel, type ChannelName, type EventName } from './channels';
import type { ErrorCode, ErrorParams, Result } from './errors';
import { cloudIds, type CloudId, type Inspection } from './model';
import {
  historyStatuses,
  secretSources,
  type CloudAccount,
  type CloudDescription,
  type ConnectionTest,
  type Deployment,
  type HistoryCheck,
  type HistoryEntry,
  type HistoryFilter,
  type SecretSource,
  type UploadJobSummary,
  type UploadPlan,
  type UploadProgress,
} from './uploads';
import { locales, type Locale } from './i18n';
import { limits } from './limits';
import {
  exportFormats,
  libraryLimits,
  sortColumns,
  type EntryUpdate,
  type ExportFormat,
  type ImportProgress,
  type ImportResult,
  type ImportedEntry,
  type KeychainStatus,
  type LibraryEntry,
  type LibrarySort,
  type LibraryEntryDetail,
  type LibraryListEntry,
  type LibraryPage,
  type LibraryQuery,
} from './library';
import { retireChoices, type DeployPlan, type DeployProgress, type DeploymentRecord, type ServedInspection } from './deploy';
import { teamRoles, teamSslModes, type AuditView, type JoinRequestView, type RoleChangeView, type TeamMemberView, type TeamMembersView, type TeamVaultStatus, type TeamVaultView, type VaultsView } from './team';
import { autoSyncChoices, type AccountInventory, type AccountSyncResult, type AutoSync, radarLimits, type RadarPage, type RemoteCopyView, type SyncProgress } from './inventory';

// The IPC contract: channel -> request schema -> response type, and the push events.
// main/electron/ipc.ts validates every request with these schemas; the renderer's typed client
// (renderer/src/lib/api.ts) and the Playwright bridge are derived from the same map.

export { limits };

/** Declares a channel: the zod schema is checked at runtime, `Res` only at compile time. */
function channel<Req extends z.ZodType, Res>(request: Req): { request: Req; response?: Res } {
  return { request };
}

/**
 * A schema check that should reach the user as a specific error rather than `ipc.bad_request`:
 * the refinement puts it in its issue's `params`, and dispatch (main/core/ipc) throws it.
 */
export interface SpecificIssue {
  readonly vaultError: { readonly code: ErrorCode; readonly params: ErrorParams };
}

/** Rounded up, so a file just over the limit never reads as exactly the limit. */
const megabytes = (bytes: number) => `${(Math.ceil((bytes / (1024 * 1024)) * 10) / 10).toFixed(1)} MB`;

/**
 * Dropped files arrive as bytes. The limits are checked here, before any handler runs, so a page
 * cannot make the main process hold gigabytes: 5 MB per file (the inspector's limit, with its
 * message) and `maxRequestBytes` for all of them together.
 */
const droppedFiles = z
  .array(
    z
      .object({ name: z.string().min(1).max(255), data: z.instanceof(Uint8Array) })
      .strict()
      .superRefine((file, ctx) => {
        if (file.data.byteLength <= limits.maxInputBytes) return;
        const params = { file: file.name, size: megabytes(file.data.byteLength), limit: megabytes(limits.maxInputBytes) };
        const issue: SpecificIssue = { vaultError: { code: 'input.too_large', params } };
        ctx.addIssue({ code: 'custom', path: ['data'], message: `${file.name} is larger than ${params.limit}`, params: issue });
      }),
  )
  .max(limits.maxFilesPerRequest)
  .refine((files) => files.reduce((total, file) => total + file.data.byteLength, 0) <= limits.maxRequestBytes, {
    message: `the files together are larger than ${megabytes(limits.maxRequestBytes)}; drop fewer at a time`,
  });

/** Channels that take nothing still get a schema, so stray fields are refused. */
const noParameters = z.object({}).strict();

const password = z.string().max(limits.maxPasswordLength);

export const themes = ['system', 'light', 'dark'] as const;
export type Theme = (typeof themes)[number];

export interface Settings {
  readonly language: Locale | 'system';
  readonly theme: Theme;
  readonly expiringWithinDays: number;
  /** Inventory sync when the app starts and every 6 or 24 hours (main/core/inventory/scheduler.ts). */
  readonly autoSync: AutoSync;
  /** The library's sort, as the user last chose it. */
  readonly librarySort: LibrarySort;
}

/** What `vault.backup` wrote. */
export interface BackupSummary {
  readonly file: string;
  readonly entries: number;
  readonly keys: number;
  readonly accounts: number;
  readonly history: number;
  /** Whether the cloud accounts' secrets are in the file. */
  readonly secrets: boolean;
}

/** What `vault.restore` put back. */
export interface RestoreSummary {
  readonly entries: number;
  readonly keys: number;
  readonly accounts: number;
  readonly history: number;
  /** Account secrets written to the keychain. */
  readonly secrets: number;
}

export interface AppInfo {
  readonly version: string;
  readonly platform: string;
  /** The OS language, for `language: 'system'`. */
  readonly systemLocale: Locale;
}

export const contract = {
  'app.info': channel<typeof noParameters, AppInfo>(noParameters),
  'settings.get': channel<typeof noParameters, Settings>(noParameters),
  'settings.update': channel<z.ZodType<Partial<Settings>>, Settings>(
    z
      .object({
        language: z.enum([...locales, 'system']),
        theme: z.enum(themes),
        expiringWithinDays: z.number().int().min(1).max(3650),
        autoSync: z.enum(autoSyncChoices),
        librarySort: z.object({ column: z.enum(sortColumns), descending: z.boolean() }).strict(),
      })
      .partial()
      .strict(),
  ),
  /** Opens the OS file dialog (main process); returns the chosen paths, empty when cancelled. */
  'files.choose': channel<z.ZodType<{ purpose: 'inspect' | 'import' | 'restore' | 'teamCa'; folders?: boolean }>, { paths: string[] }>(
    z.object({ purpose: z.enum(['inspect', 'import', 'restore', 'teamCa']), folders: z.boolean().optional() }).strict(),
  ),
  /** Inspect files on disk (paths from the dialog or the CLI). */
  'inspect.paths': channel<z.ZodType<{ paths: string[]; password?: string }>, Inspection>(
    z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(limits.maxFilesPerRequest), password: password.optional() }).strict(),
  ),
  /** Inspect dropped files (their bytes) and/or pasted text. */
  'inspect.content': channel<
    z.ZodType<{ files: { name: string; data: Uint8Array }[]; text?: string; password?: string }>,
    Inspection
  >(
    z
      .object({
        files: droppedFiles,
        text: z.string().max(limits.maxTextLength).optional(),
        password: password.optional(),
      })
      .strict(),
  ),
  ...libraryChannels(),
  ...uploadChannels(),
  ...inventoryChannels(),
  ...deployChannels(),
  ...teamChannels(),
  /**
   * Connects to a server and reads the certificate it serves for `domain` (SNI), for the
   * inspector's "Check what is served". Where names resolve to is main's business only: a page
   * can choose the host, IP and port a user could type, never the resolver (HandlerContext.tlsResolver).
   */
  'tls.served': channel<z.ZodType<{ domain: string; ip?: string; port?: number; timeoutSeconds?: number }>, ServedInspection>(
    z
      .object({
        domain: z.string().trim().min(1).max(2048),
        ip: z.string().trim().max(64).optional(),
        port: z.number().int().min(1).max(65535).optional(),
        timeoutSeconds: z.number().int().min(1).max(120).optional(),
      })
      .strict(),
  ),
} as const;

/**
 * The library (main/core/library). Entry ids are short hex; `library.get` and the CLI also accept a
 * unique prefix of an id or fingerprint. No response carries private key material: a key leaves
 * the main process only through `library.export` into a file the user chose.
 */
function libraryChannels() {
  const entryId = z.string().trim().min(1).max(128);
  const tags = z.array(z.string().trim().min(1).max(libraryLimits.maxTagLength)).max(libraryLimits.maxTags);
  const name = z.string().trim().min(1).max(libraryLimits.maxNameLength);
  const importOptions = { password: password.optional(), name: name.optional(), tags: tags.optional() };
  return {
    'library.list': channel<z.ZodType<LibraryQuery>, LibraryPage<LibraryListEntry>>(
      z
        .object({
          search: z.string().max(libraryLimits.maxSearchLength),
          expiringWithinDays: z.number().int().min(0).max(36_500),
          expired: z.boolean(),
          hideExpired: z.boolean(),
          hasKey: z.boolean(),
          kind: z.enum(['ca', 'leaf']),
          currentOnly: z.boolean(),
          sort: z.enum(sortColumns),
          descending: z.boolean(),
          offset: z.number().int().min(0),
          limit: z.number().int().min(0).max(libraryLimits.maxPageSize),
        })
        .partial()
        .strict(),
    ),
    'library.get': channel<z.ZodType<{ id: string }>, LibraryEntryDetail>(z.object({ id: entryId }).strict()),
    /** Whether the keychain holds the vault's data key (for a banner when keys are unrecoverable). */
    'library.status': channel<typeof noParameters, KeychainStatus>(noParameters),
    /**
     * Starts a new data key after the keychain lost the old one: keys sealed with the old one stay
     * unrecoverable. `confirm` records that the user was told so and agreed.
     */
    'library.resetDataKey': channel<z.ZodType<{ confirm: true }>, KeychainStatus>(z.object({ confirm: z.literal(true) }).strict()),
    /** Files and folders (folders recursively), with `import.progress` events. */
    'library.import': channel<
      z.ZodType<{ paths: string[]; password?: string; name?: string; tags?: string[] }>,
      ImportResult
    >(
      z
        .object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(limits.maxFilesPerRequest), ...importOptions })
        .strict(),
    ),
    /** Dropped files (their bytes) and/or pasted text. */
    'library.importContent': channel<
      z.ZodType<{ files: { name: string; data: Uint8Array }[]; text?: string; password?: string; name?: string; tags?: string[] }>,
      ImportResult
    >(
      z
        .object({
          files: droppedFiles,
          text: z.string().max(limits.maxTextLength).optional(),
          ...importOptions,
        })
        .strict(),
    ),
    /** `baseUpdatedAt` is the entry's `updatedAt` the edit started from; changed since: `library.edit_conflict`. */
    'library.update': channel<z.ZodType<{ id: string; baseUpdatedAt: string } & EntryUpdate>, LibraryEntry>(
      z
        .object({
          id: entryId,
          baseUpdatedAt: z.string().min(1).max(64),
          name: name.optional(),
          tags: tags.optional(),
          notes: z.string().max(libraryLimits.maxNotesLength).optional(),
        })
        .strict(),
    ),
    'library.remove': channel<z.ZodType<{ id: string }>, { id: string }>(z.object({ id: entryId }).strict()),
    /**
     * Writes the export to `path` (chosen with `files.chooseSave`). `key`, `bundle` and `pfx` hold
     * the private key: the renderer asks for confirmation first. `pfx` needs a password.
     */
    'library.export': channel<
      z.ZodType<{ id: string; format: ExportFormat; path: string; password?: string; legacy?: boolean }>,
      { file: string; bytes: number }
    >(
      z
        .object({
          id: entryId,
          format: z.enum(exportFormats),
          path: z.string().min(1).max(4096),
          password: password.min(1).optional(),
          legacy: z.boolean().optional(),
        })
        .strict(),
    ),
    /** Opens the OS save dialog (main process); null when cancelled. */
    'files.chooseSave': channel<z.ZodType<{ purpose: 'export' | 'backup'; defaultName: string }>, { path: string | null }>(
      z.object({ purpose: z.enum(['export', 'backup']), defaultName: z.string().min(1).max(255) }).strict(),
    ),
    /**
     * Writes the library, its private keys and the upload history to `path` (chosen with
     * `files.chooseSave`), encrypted with `passphrase`; cloud secrets only with `includeSecrets`.
     */
    'vault.backup': channel<z.ZodType<{ path: string; passphrase: string; includeSecrets?: boolean }>, BackupSummary>(
      z.object({ path: z.string().min(1).max(4096), passphrase: z.string().min(1).max(1024), includeSecrets: z.boolean().optional() }).strict(),
    ),
    /**
     * Restores a backup (chosen with `files.choose`, purpose 'restore') into an empty vault, or with
     * `replace` over everything it holds; all or nothing.
     */
    'vault.restore': channel<z.ZodType<{ path: string; passphrase: string; replace?: boolean }>, RestoreSummary>(
      z.object({ path: z.string().min(1).max(4096), passphrase: z.string().min(1).max(1024), replace: z.boolean().optional() }).strict(),
    ),
  };
}

/**
 * Cloud accounts, uploads and the upload history (main/core/accounts, main/core/uploads). A secret
 * goes in through `accounts.save` and never comes back: accounts only say `secretStored`.
 */
function uploadChannels() {
  const id = z.string().trim().min(1).max(128);
  const cloud = z.enum(cloudIds as unknown as [CloudId, ...CloudId[]]);
  // Values are checked by the cloud's own options schema (main/clouds/*/index.ts); here only the shape.
  const options = z
    .record(z.string().min(1).max(64), z.unknown())
    .refine((record) => Object.keys(record).length <= 64, { message: 'at most 64 options' });
  const targets = z.array(z.object({ accountId: id, options: options.optional() }).strict()).min(1).max(100);
  const text = (max: number) => z.string().max(max);
  const historyFilter = {
    certificateId: id.optional(),
    fingerprintSha256: z.string().regex(/^[0-9a-fA-F]{64}$/).optional(),
    cloud: cloud.optional(),
    accountId: id.optional(),
    accountName: id.optional(),
    status: z.array(z.enum(historyStatuses)).max(historyStatuses.length).optional(),
    from: z.iso.datetime().optional(),
    to: z.iso.datetime().optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
    offset: z.number().int().min(0).optional(),
  };
  return {
    /** Every account (never a secret) and what each cloud asks for. */
    /** `canShare`: this member is an admin of the team vault in use, so the form offers "Shared with the team". */
    'accounts.list': channel<typeof noParameters, { accounts: CloudAccount[]; clouds: CloudDescription[]; canShare: boolean }>(noParameters),
    /**
     * Creates (no `id`) or edits an account. `secret` is required for a new keychain account; on edit
     * it replaces the stored one. `secretSource: 'environment'` stores no secret: the cloud's usual
     * environment variables are read at each use.
     */
    'accounts.save': channel<
      z.ZodType<{
        id?: string;
        cloud: CloudId;
        name: string;
        region?: string | null;
        endpoint?: string | null;
        fields?: Record<string, string>;
        defaultOptions?: Record<string, unknown>;
        secretSource?: SecretSource;
        secret?: { accessKeyId: string; accessKeySecret: string; token?: string };
      }>,
      CloudAccount
    >(
      z
        .object({
          id: id.optional(),
          cloud,
          name: text(200),
          region: text(64).nullable().optional(),
          endpoint: text(2048).nullable().optional(),
          fields: z.record(z.string().min(1).max(64), text(256)).optional(),
          defaultOptions: options.optional(),
          secretSource: z.enum(secretSources).optional(),
          secret: z.object({ accessKeyId: text(4096), accessKeySecret: text(4096), token: text(16_384).optional() }).strict().optional(),
        })
        .strict(),
    ),
    /** Deletes the account and its keychain entry (or its shared secret); its history stays. */
    'accounts.remove': channel<z.ZodType<{ id: string }>, { id: string; name: string; shared: boolean }>(z.object({ id }).strict()),
    /**
     * Asks the user, in a main-process dialog showing the account's cloud, access key id and
     * endpoint, whether private keys may be uploaded to it; the answer is recorded in main. Returns
     * the account with `confirmed` as it now stands.
     */
    'accounts.confirm': channel<z.ZodType<{ id: string }>, CloudAccount>(z.object({ id }).strict()),
    /** The read-only list call, with a verdict: works / wrong key / no permission / unreachable / clock skew. */
    'accounts.test': channel<z.ZodType<{ id: string }>, ConnectionTest>(z.object({ id }).strict()),
    /** Pre-flight per target: prefilled options, the form fields, what is wrong, and whether it is already there. */
    'uploads.plan': channel<z.ZodType<{ certificateId: string; targets: { accountId: string; options?: Record<string, unknown> }[] }>, UploadPlan>(
      z.object({ certificateId: id, targets }).strict(),
    ),
    /** Starts the upload and returns at once; progress comes as `uploads.progress` events. */
    'uploads.start': channel<
      z.ZodType<{ certificateId: string; targets: { accountId: string; options?: Record<string, unknown> }[]; force?: boolean }>,
      { jobId: string }
    >(z.object({ certificateId: id, targets, force: z.boolean().optional() }).strict()),
    /** Stops the targets that have not sent yet. */
    'uploads.cancel': channel<z.ZodType<{ jobId: string }>, { cancelled: boolean }>(z.object({ jobId: id }).strict()),
    /** Runs again only the failed (and cancelled) targets of a finished job. */
    'uploads.retryFailed': channel<z.ZodType<{ jobId: string }>, { jobId: string }>(z.object({ jobId: id }).strict()),
    /** Where a job stands (after a window reload). */
    'uploads.job': channel<z.ZodType<{ jobId: string }>, UploadJobSummary>(z.object({ jobId: id }).strict()),
    'history.list': channel<z.ZodType<HistoryFilter>, { entries: HistoryEntry[] }>(z.object(historyFilter).strict()),
    /** Settles 'unknown' rows (all, or the given ones) with the cloud's list call. */
    'history.check': channel<z.ZodType<{ ids?: string[] }>, { results: HistoryCheck[] }>(
      z.object({ ids: z.array(id).max(1000).optional() }).strict(),
    ),
    /** Writes the filtered history as CSV to `path` (chosen with `files.chooseSave`). */
    'history.exportCsv': channel<z.ZodType<HistoryFilter & { path: string }>, { file: string; rows: number }>(
      z.object({ ...historyFilter, path: z.string().min(1).max(4096) }).strict(),
    ),
    /** Where each library entry is uploaded (the library's "uploaded to" column). */
    'history.deployments': channel<z.ZodType<{ certificateIds: string[] }>, { deployments: Record<string, Deployment[]> }>(
      z.object({ certificateIds: z.array(id).max(10_000) }).strict(),
    ),
  };
}

/**
 * The inventory (main/core/inventory): what each cloud account holds, and the expiry radar over
 * it and the library. Remote copies never carry a private key or the stored certificate PEM.
 */
function inventoryChannels() {
  const id = z.string().trim().min(1).max(128);
  return {
    /** Syncs the accounts (ids or names; all when none); `inventory.progress` per account while it runs. */
    'inventory.sync': channel<z.ZodType<{ accounts?: string[] }>, { accounts: AccountSyncResult[] }>(
      z.object({ accounts: z.array(id).max(100).optional() }).strict(),
    ),
    /** Stops the running sync: accounts not finished keep their previous sync. */
    'inventory.cancel': channel<typeof noParameters, { cancelled: boolean }>(noParameters),
    /** The recorded copies: all, one account's, or those matched to one library entry. */
    'inventory.list': channel<z.ZodType<{ account?: string; libraryId?: string }>, { copies: RemoteCopyView[] }>(
      z.object({ account: id.optional(), libraryId: id.optional() }).strict(),
    ),
    /** When each account last synced and how many certificates it held then (the account cards). */
    'inventory.accounts': channel<typeof noParameters, { accounts: AccountInventory[] }>(noParameters),
    /**
     * The expiry radar: its group counts and the rows from `offset` (default 0), `limit` of them
     * (default one page), so the Overview fetches only the window its virtual list shows.
     */
    'inventory.overview': channel<z.ZodType<{ offset?: number; limit?: number }>, RadarPage>(
      z.object({ offset: z.number().int().min(0).optional(), limit: z.number().int().min(0).max(radarLimits.maxPageSize).optional() }).strict(),
    ),
    /** Imports a copy the library lacks, certificate only, from what its sync stored. */
    'inventory.importRemote': channel<z.ZodType<{ accountId: string; remoteId: string }>, ImportedEntry>(
      z.object({ accountId: id, remoteId: z.string().min(1).max(512) }).strict(),
    ),
  };
}

/**
 * Deploying a library entry where the certificates it renews serve (main/core/deploy): the plan,
 * the run with `deploy.progress` events, cancel, rollback and the deployment history.
 */
function deployChannels() {
  const id = z.string().trim().min(1).max(128);
  const options = z
    .object({
      accountIds: z.array(id).min(1).max(100).optional(),
      retire: z.enum(retireChoices),
      verify: z.boolean(),
      verifyTimeoutMs: z.number().int().min(0).max(3_600_000).optional(),
      inPlace: z.boolean().optional(),
      bind: z.array(z.string().min(1).max(1024)).max(1000).optional(),
      inPlaceAccountIds: z.array(id).max(100).optional(),
    })
    .strict();
  type Options = z.infer<typeof options>;
  return {
    /** Re-syncs the accounts involved and returns what a run would change, resource by resource. Changes nothing. */
    'deploy.plan': channel<z.ZodType<{ certificateId: string; options: Options }>, DeployPlan>(z.object({ certificateId: id, options }).strict()),
    /** Plans again and starts at once; progress as `deploy.progress` events, the outcome in the history. */
    'deploy.run': channel<z.ZodType<{ certificateId: string; options: Options }>, { deploymentId: string }>(z.object({ certificateId: id, options }).strict()),
    /** Stops the running deployment: nothing more is sent; a task already at the cloud is left to finish and recorded as unknown. */
    'deploy.cancel': channel<z.ZodType<{ deploymentId: string }>, { cancelled: boolean }>(z.object({ deploymentId: id }).strict()),
    /** Puts the old certificate back where the deployment moved resources; recorded as a new deployment. */
    'deploy.rollback': channel<z.ZodType<{ deploymentId: string }>, { deploymentId: string }>(z.object({ deploymentId: id }).strict()),
    'deploy.history': channel<z.ZodType<{ certificateId?: string; limit?: number }>, { deployments: DeploymentRecord[] }>(
      z.object({ certificateId: id.optional(), limit: z.number().int().min(1).max(10_000).optional() }).strict(),
    ),
    /** Settles deployments whose outcome is unknown (a crash, a cancel mid-task) by watching their task or reading the cloud's state. */
    'deploy.check': channel<z.ZodType<{ deploymentIds?: string[] }>, { deployments: DeploymentRecord[] }>(
      z.object({ deploymentIds: z.array(id).max(1000).optional() }).strict(),
    ),
  };
}

/**
 * Team vaults on PostgreSQL (main/core/team). The database password travels only into main, when
 * the user types it (set-up, or when the keychain has none): it is kept in the keychain and no
 * response carries it. Every channel acting on a team names the vault by its local name.
 */
function teamChannels() {
  const vaultName = z.string().trim().min(1).max(100);
  const id = z.string().trim().uuid();
  const dbPassword = z.string().min(1).max(limits.maxPasswordLength);
  const onVault = { vault: vaultName, password: dbPassword.optional() };
  const setUp = z
    .object({
      url: z.string().trim().min(1).max(2000),
      name: vaultName,
      memberName: z.string().trim().min(1).max(100).optional(),
      password: dbPassword.optional(),
      sslmode: z.enum(teamSslModes).optional(),
      caFile: z.string().min(1).max(4096).optional(),
    })
    .strict();
  type SetUp = z.infer<typeof setUp>;
  return {
    /** The vaults this computer knows and the one in use. */
    'team.vaults': channel<typeof noParameters, VaultsView>(noParameters),
    /** Switches the vault in use: `local` or a team vault's name. */
    'team.use': channel<z.ZodType<{ name: string }>, VaultsView>(z.object({ name: vaultName }).strict()),
    /** Sets up an empty database as a team vault (runs its migrations: the explicit admin action); the caller is its first admin. */
    'team.create': channel<z.ZodType<SetUp>, { vault: TeamVaultView }>(setUp),
    /** Publishes a join request; the phrase is read to an admin, who approves only when it matches. */
    'team.join': channel<z.ZodType<SetUp>, { vault: TeamVaultView; requestId: string; fingerprintPhrase: string }>(setUp),
    'team.requests': channel<z.ZodType<{ vault: string; password?: string }>, { requests: JoinRequestView[] }>(z.object(onVault).strict()),
    /**
     * Admits a request as `role`. `phrase` is the phrase the admin compared with the new member's
     * screen: main checks it against the request as it is now, so a request whose key changed
     * after the admin looked is refused.
     */
    'team.approve': channel<z.ZodType<{ vault: string; requestId: string; role: (typeof teamRoles)[number]; phrase: string; password?: string }>, { member: TeamMemberView }>(
      z.object({ ...onVault, requestId: id, role: z.enum(teamRoles), phrase: z.string().trim().min(1).max(200) }).strict(),
    ),
    /** Refuses a pending join request; the requester's app then shows it as rejected. */
    'team.reject': channel<z.ZodType<{ vault: string; requestId: string; password?: string }>, { request: JoinRequestView }>(z.object({ ...onVault, requestId: id }).strict()),
    'team.members': channel<z.ZodType<{ vault: string; password?: string }>, TeamMembersView>(z.object(onVault).strict()),
    /**
     * Changes a member's role. From viewer to operator or admin they are given the team key; to
     * viewer their key is taken away and the team key rotated (`rotated`), as for a removal.
     */
    'team.role': channel<z.ZodType<{ vault: string; member: string; role: (typeof teamRoles)[number]; password?: string }>, RoleChangeView>(
      z.object({ ...onVault, member: id, role: z.enum(teamRoles) }).strict(),
    ),
    /** Removes a member and rotates the team key; the removed member may have copied keys while a member. */
    'team.remove': channel<z.ZodType<{ vault: string; member: string; password?: string }>, { member: TeamMemberView; keyVersion: number }>(
      z.object({ ...onVault, member: id }).strict(),
    ),
    /**
     * Live updates for the vault the window shows: `team.changed` events when any member's app
     * commits a change (or after a lost connection came back). `null` stops them.
     */
    'team.watch': channel<z.ZodType<{ vault: string | null }>, { watching: string | null }>(z.object({ vault: vaultName.nullable() }).strict()),
    /**
     * Whether the team vault is online or showing its local copy read-only (opens its connection
     * on first ask); `team.status` events follow every change.
     */
    'team.status': channel<z.ZodType<{ vault: string }>, TeamVaultStatus>(z.object({ vault: vaultName }).strict()),
    /** The audit log in order; with `verify`, whether its hash chain holds. */
    'team.audit': channel<z.ZodType<{ vault: string; verify?: boolean; password?: string }>, AuditView>(
      z.object({ ...onVault, verify: z.boolean().optional() }).strict(),
    ),
  };
}

export type Channel = keyof typeof contract;
export type Request<C extends Channel> = z.infer<(typeof contract)[C]['request']>;
export type Response<C extends Channel> = NonNullable<(typeof contract)[C]['response']>;

export const channels: readonly Channel[] = channelNames;
export { isChannel };

// Compile-time proof that shared/channels.ts names exactly the contract's channels and events.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const channelListsMatch: Same<Channel, ChannelName> = true;
const eventListsMatch: Same<keyof Events, EventName> = true;
void channelListsMatch;
void eventListsMatch;

/** Push events main -> renderer. */
export interface Events {
  'library.changed': { readonly reason: 'import' | 'update' | 'delete' | 'keychain' };
  'import.progress': ImportProgress;
  'uploads.progress': UploadProgress;
  'inventory.progress': SyncProgress;
  'inventory.synced': { readonly accounts: readonly AccountSyncResult[] };
  'deploy.progress': DeployProgress;
  /** A team vault changed (`action` as in its audit log), or `reconnected` after changes may have been missed. */
  'team.changed': { readonly vault: string; readonly action: string };
  /** The window now works on another vault (`local` or a team vault's name): every screen reads again. */
  'vault.changed': { readonly current: string };
  /** A team vault went offline (its local copy shown read-only), came back, or its copy was refreshed. */
  'team.status': { readonly vault: string; readonly status: TeamVaultStatus };
  /** Main asks for a screen: a click on the desktop notification opens the Overview. */
  'app.navigate': { readonly screen: 'overview' };
}
export { eventNames, type EventName };

/** The whole preload API, as the renderer sees it on `window.vault`. */
export interface VaultBridge {
  invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Result<Response<C>>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}
