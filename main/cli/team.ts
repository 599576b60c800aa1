import os from 'node:os';
import { VaultError } from '../../shared/errors';
import { osKeychain, type SecretStore } from '../core/keychain';
import { teamAudit } from '../core/team/audit';
import { auditTamperError } from '../core/team/crypto/audit-chain';
import type { PasswordSources } from '../core/team/db/password';
import { memberRoles, type Member, type MemberRole } from '../core/team/db/schema';
import { approveRequest, changeRole, createTeam, joinTeam, listMembers, listRequests, rejectRequest, removeMember } from '../core/team/membership';
import type { TeamEnvironment } from '../core/team/session';
import { LOCAL_VAULT } from '../core/team/team-settings';
import { listVaults, migrateVault, useVault } from '../core/team/vaults';
import { exitCodes, jsonOption, onlyPositional, parseAction, UsageError, type Command, type CommandContext } from './command';
import { jsonDocument, table } from './output';
import { passwordOptions, readPassword } from './password';

const help = `Usage: certvault team create URL --name NAME [--member WHO] [--json]
       certvault team join URL --name NAME [--member WHO] [--json]
       certvault team requests [--vault NAME] [--json]
       certvault team approve ID --role viewer|operator|admin --phrase "DIGITS" [--vault NAME] [--json]
       certvault team reject ID [--vault NAME] [--json]
       certvault team members [--vault NAME] [--json]
       certvault team role MEMBER --role viewer|operator|admin [--vault NAME] [--json]
       certvault team remove MEMBER [--vault NAME] [--json]
       certvault team use NAME|local
       certvault team audit [--verify] [--vault NAME] [--json]
       certvault team migrate NAME

A team vault is a PostgreSQL 15+ database an ops team shares (see docs/team-vault.md). URL is
postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=CA.pem; sslmode is verify-full
(default), require or disable. The database password comes from the URL, PGPASSWORD,
--password-file or --password-stdin, and is then kept in the OS keychain (team-db:NAME), never in
a file or a log.

  create    set up an empty database as a team vault (runs its migrations); you are its first admin
  join      ask to join: prints a request ID and a fingerprint phrase; read the phrase to an admin
  requests  pending join requests and their phrases
  approve   admit a request; --phrase is the phrase shown on the new member's screen, and must match
            (never approve when it does not); without --phrase, at a terminal you are asked to type it.
            Viewers get no team key: they can never decrypt a key
  reject    refuse a join request (its phrase did not match, or you do not know them); their app says so
  members   the team's members, roles and status
  role      change a member's role (ID or name). To operator or admin from viewer: they are given the
            team key. To viewer: their key is taken away and the team key rotated, as for a removal;
            they may have copied keys while they held it. The last admin keeps the role
  remove    remove a member (ID or name) and rotate the team key; they may have copied keys while a member
  use       the vault other commands work on: a team vault's NAME, or local
  audit     the audit log; --verify checks its hash chain and names the first row that was tampered with
  migrate   upgrade the team schema (an admin action; the app never migrates by itself)

Options:
  --name NAME        this computer's name for the vault (for team use, --vault)
  --member WHO       your name as other members see it (default: your user name)
  --vault NAME       the team vault to act on (default: the one in use)
  --role ROLE        approve, role: viewer (browse, no keys), operator (also keys, upload, deploy), admin
  --phrase DIGITS    approve: the fingerprint phrase as read from the new member's screen
  --verify           audit: check the hash chain
  --password-file F  the database password: the first line of F
  --password-stdin   the database password: the first line of standard input
  --json             one JSON document on one line of stdout (--pretty: indented)

Exit codes: 0 success, 1 failure (database unreachable, audit tampered), 2 bad input (unknown
vault, request or member, a phrase that does not match), 5 the keychain is unavailable.
`;

const options = {
  ...jsonOption,
  ...passwordOptions,
  name: { type: 'string' },
  member: { type: 'string' },
  vault: { type: 'string' },
  role: { type: 'string' },
  phrase: { type: 'string' },
  verify: { type: 'boolean', default: false },
} as const;

/** The team command over `secrets` (the OS keychain; tests bring their own). */
export function makeTeamCommand(secrets: () => SecretStore): Command {
  return {
    name: 'team',
    summary: 'team vault on PostgreSQL: create, join, approve or reject members, change roles, remove (rotates the team key), audit',
    help,
    // Each action names its vault (or takes the one in use) and connects for itself.
    usesVault: false,
    async run(args, context) {
      const parsed = parseAction(args, { options, help }, context.io);
      if (typeof parsed === 'number') return parsed;
      const { action, commandLine: { values, positionals } } = parsed;
      const out = (json: unknown, text: string) => context.io.stdout(values.json ? jsonDocument(json, values.pretty) : text);
      const env = teamEnvironment(context, secrets());
      const sources = async (): Promise<PasswordSources> => ({ fromStdin: await readPassword(values, context.io), fromEnv: context.io.env.PGPASSWORD });
      const vault = () => values.vault ?? currentTeam(env);
      const memberName = () => values.member ?? os.userInfo().username;
      switch (action) {
        case 'create':
        case 'join': {
          const url = onlyPositional(positionals, 'URL');
          if (!values.name) throw new UsageError('--name is required: the name this computer gives the vault');
          const { fromStdin, fromEnv } = await sources();
          const input = { url, name: values.name, memberName: memberName(), passwordStdin: fromStdin, pgPassword: fromEnv };
          if (action === 'create') {
            const team = await createTeam(env, input);
            out({ team: { name: values.name, ...team } }, `created team vault ${values.name}; you are its admin. Work on it with: certvault team use ${values.name}\n`);
          } else {
            const request = await joinTeam(env, input);
            out(request, `join request ${request.requestId} sent.\nRead this phrase to an admin; they approve only if it matches their screen:\n\n  ${request.fingerprintPhrase}\n\n`);
          }
          return exitCodes.ok;
        }
        case 'requests': {
          noPositionals(positionals);
          const requests = await listRequests(env, vault(), await sources());
          out(
            { requests: requests.map(({ id, member, machine, createdAt, fingerprintPhrase }) => ({ id, member, machine, createdAt, fingerprintPhrase })) },
            requests.length === 0 ? 'No pending join requests.\n' : table(['ID', 'MEMBER', 'MACHINE', 'PHRASE'], requests.map((r) => [r.id, r.member, r.machine, r.fingerprintPhrase])),
          );
          return exitCodes.ok;
        }
        case 'approve': {
          const requestId = onlyPositional(positionals, 'request ID');
          const role = parseRole(values.role);
          const name = vault();
          const passwords = await sources();
          let phrase = values.phrase;
          if (phrase === undefined) {
            // Never approve without the admin having compared the phrase: at a terminal they type
            // what the new member's screen shows; elsewhere they are told to pass it with --phrase.
            const request = (await listRequests(env, name, passwords)).find((candidate) => candidate.id === requestId);
            if (!request) throw new VaultError('team.request_not_found', { id: requestId });
            if (!context.io.askLine) {
              throw new UsageError(
                `compare the phrase on ${request.member}'s screen (${request.machine}) with ${request.fingerprintPhrase}; if they match, run again with --phrase "${request.fingerprintPhrase}"`,
              );
            }
            phrase = (await context.io.askLine(`Join request from ${request.member} (${request.machine}).\nType the phrase shown on their screen: `)) ?? '';
          }
          const member = await approveRequest(env, name, { requestId, role, phrase }, passwords);
          out({ approved: memberJson(member) }, `approved ${member.name} as ${member.role}${member.role === 'viewer' ? ' (no team key: cannot decrypt private keys)' : ''}\n`);
          return exitCodes.ok;
        }
        case 'reject': {
          const requestId = onlyPositional(positionals, 'request ID');
          const rejected = await rejectRequest(env, vault(), requestId, await sources());
          out({ rejected: { id: rejected.id, member: rejected.member, machine: rejected.machine } }, `rejected the join request of ${rejected.member} (${rejected.machine})\n`);
          return exitCodes.ok;
        }
        case 'role': {
          const ref = onlyPositional(positionals, 'MEMBER (ID or name)');
          const change = await changeRole(env, vault(), ref, parseRole(values.role), await sources());
          const { member, from, keyVersion, rotated } = change;
          const text =
            from === member.role
              ? `${member.name} is already ${member.role}; nothing changed\n`
              : `${member.name} is now ${member.role} (was ${from}).` +
                (rotated
                  ? ` The team key is now version ${keyVersion}, wrapped to the remaining operators and admins.\n${member.name} may have copied keys while they held the team key.\n`
                  : from === 'viewer'
                    ? ` They were given the team key (version ${keyVersion}).\n`
                    : '\n');
          out({ member: memberJson(member), from, keyVersion, rotated }, text);
          return exitCodes.ok;
        }
        case 'members': {
          noPositionals(positionals);
          const members = await listMembers(env, vault(), await sources());
          out({ members: members.map(memberJson) }, table(['ID', 'NAME', 'MACHINE', 'ROLE', 'STATUS'], members.map((m) => [m.id, m.name, m.machine, m.role, m.status])));
          return exitCodes.ok;
        }
        case 'remove': {
          const ref = onlyPositional(positionals, 'MEMBER (ID or name)');
          const { member, keyVersion } = await removeMember(env, vault(), ref, await sources());
          out(
            { removed: memberJson(member), keyVersion },
            `removed ${member.name}; the team key is now version ${keyVersion}, wrapped to the remaining operators and admins.\n${member.name} may have copied keys while a member.\n`,
          );
          return exitCodes.ok;
        }
        case 'use': {
          const name = onlyPositional(positionals, `vault NAME (or ${LOCAL_VAULT})`);
          useVault(env, name);
          out({ current: name }, `now using ${name === LOCAL_VAULT ? 'the local vault' : `team vault ${name}`}\n`);
          return exitCodes.ok;
        }
        case 'audit': {
          noPositionals(positionals);
          const { rows, verdict } = await teamAudit(env, vault(), values.verify, await sources());
          const json = rows.map((row) => ({ seq: Number(row.seq), at: row.at.toISOString(), memberId: row.member_id, member: row.member_name, machine: row.machine, action: row.action, subject: row.subject, detail: row.detail }));
          out(
            { rows: json, ...(verdict ? { verify: verdict.ok ? { ok: true, rows: verdict.rows } : { ok: false, firstBadSeq: verdict.firstBadSeq, reason: verdict.reason } } : {}) },
            table(['SEQ', 'AT', 'MEMBER', 'MACHINE', 'ACTION', 'SUBJECT'], json.map((r) => [String(r.seq), r.at, r.member, r.machine, r.action, r.subject ?? ''])) +
              (verdict?.ok ? `audit log verified: ${verdict.rows} rows, hash chain intact\n` : ''),
          );
          if (verdict && !verdict.ok) {
            context.io.stderr(`certvault team: ${auditTamperError(verdict).message}\n`);
            return exitCodes.failure;
          }
          return exitCodes.ok;
        }
        case 'migrate': {
          const name = onlyPositional(positionals, 'vault NAME');
          const applied = await migrateVault(env, name, await sources());
          out({ applied }, applied.length === 0 ? `${name}: schema already current\n` : `${name}: applied team schema migrations ${applied.join(', ')}\n`);
          return exitCodes.ok;
        }
        default:
          throw new UsageError(`unknown action "${action.slice(0, 40)}"; use create, join, requests, approve, reject, members, role, remove, use, audit or migrate`);
      }
    },
  };
}

export const teamCommand: Command = makeTeamCommand(() => osKeychain());

function teamEnvironment(context: CommandContext, secrets: SecretStore): TeamEnvironment {
  const handlers = context.handlers();
  return { dataDir: handlers.dataDir, secrets, now: handlers.now };
}

function currentTeam(env: TeamEnvironment): string {
  const { current } = listVaults(env);
  if (current === LOCAL_VAULT) throw new VaultError('team.none_selected');
  return current;
}

function parseRole(value: string | undefined): MemberRole {
  if (!value || !(memberRoles as readonly string[]).includes(value)) throw new UsageError(`--role must be one of ${memberRoles.join(', ')}`);
  return value as MemberRole;
}

function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]!.slice(0, 40)}"`);
}

function memberJson(member: Member) {
  return { id: member.id, name: member.name, machine: member.machine, role: member.role, status: member.status, addedAt: member.added_at.toISOString() };
}
