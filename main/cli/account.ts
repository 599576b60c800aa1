import { VaultError } from '../../shared/errors';
import { cloudIds, type CloudId } from '../../shared/model';
import type { CloudAccount, ConnectionTest } from '../../shared/uploads';
import type { CloudCredentials } from '../clouds/provider';
import { credentialEnvironment, credentialsFromEnvironment, credentialsFromJson } from '../core/accounts/credentials';
import { call } from './handler-context';
import { exitCodes, jsonOption, onlyPositional, parseAction, UsageError, type CliIo, type Command } from './command';
import { printable } from '../../shared/printable';
import { jsonDocument, table } from './output';

const help = `Usage: certvault account add --cloud CLOUD --name NAME [--region R] [--endpoint URL]
                             [--project-id P] [--instance-id I] [--project-name P] [--resource-group G]
                             [--secret-stdin | --secret-from-env] [--shared] [--json]
       certvault account list [--json]
       certvault account remove [--json] NAME
       certvault account test [--json] NAME

Cloud accounts for uploads. CLOUD is one of: ${cloudIds.join(', ')}.
The secret goes into the OS keychain and never onto the command line. It is read from the cloud's
usual environment variables when they are set:
${cloudIds.map((cloud) => `  ${cloud.padEnd(13)} ${credentialEnvironment[cloud].id} / ${credentialEnvironment[cloud].secret} [/ ${credentialEnvironment[cloud].token}]`).join('\n')}
otherwise (or with --secret-stdin) as JSON from standard input, in any of these shapes:
  {"secretId","secretKey"}  {"accessKeyId","accessKeySecret"}  {"accessKeyId","secretAccessKey"}  {"ak","sk"}
each with an optional "token" (STS / temporary credentials). "add" with an existing NAME replaces
that account's settings and secret.

With --secret-from-env nothing is stored: the account reads the variables above each time it is
used. For servers without a keychain (a certbot deploy hook): export them where certvault runs.

On a team vault an account's settings are the team's. Its secret is yours (your keychain: other
members are told to add their own or ask an admin to share it), or with --shared (admins only) the
team's: sealed with the team key in the team database, usable by every operator, in no keychain.

  --endpoint URL     an http(s) URL replacing the cloud's public endpoint (private endpoints)
  --project-id P     Tencent project id; Huawei project id
  --instance-id I    Huawei API Gateway instance id
  --project-name P   Volcengine project name
  --resource-group G Alibaba Cloud resource group id

"test" calls the cloud's read-only certificate list and prints a verdict: works, wrong_key,
no_permission, unreachable, clock_skew (or error), on one line with the cloud's code, message and
what to do.

  --json             one JSON document on one line of stdout (--pretty: indented)

Exit codes: 0 success (test: works), 1 failure (test: any other verdict), 2 an unknown NAME or
unusable secret JSON, 5 the keychain is unavailable.
`;

const fieldFlags = { 'project-id': 'projectId', 'instance-id': 'instanceId', 'project-name': 'projectName', 'resource-group': 'resourceGroupId' } as const;

const options = {
  ...jsonOption,
  cloud: { type: 'string' },
  name: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'project-id': { type: 'string' },
  'instance-id': { type: 'string' },
  'project-name': { type: 'string' },
  'resource-group': { type: 'string' },
  'secret-stdin': { type: 'boolean', default: false },
  'secret-from-env': { type: 'boolean', default: false },
  shared: { type: 'boolean', default: false },
} as const;

export const accountCommand: Command = {
  name: 'account',
  summary: 'add, list, remove and test cloud accounts (secrets in the OS keychain)',
  help,
  async run(args, context) {
    const parsed = parseAction(args, { options, help }, context.io);
    if (typeof parsed === 'number') return parsed;
    const { action, commandLine: { values, positionals } } = parsed;
    const out = (json: unknown, text: string) => context.io.stdout(values.json ? jsonDocument(json, values.pretty) : text);
    const ctx = () => context.handlers();
    switch (action) {
      case 'add': {
        if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; secrets are read from stdin or the environment, never from arguments`);
        const cloud = parseCloud(values.cloud);
        if (!values.name) throw new UsageError('--name is required');
        const fields: Record<string, string> = {};
        for (const [flag, key] of Object.entries(fieldFlags)) {
          const value = values[flag as keyof typeof fieldFlags];
          if (value !== undefined) fields[key] = value;
        }
        if (values['secret-stdin'] && values['secret-from-env']) throw new UsageError('--secret-stdin and --secret-from-env cannot be used together');
        if (values.shared && values['secret-from-env']) throw new UsageError('--shared and --secret-from-env cannot be used together: a shared account keeps its secret in the team database');
        const fromEnv = values['secret-from-env'];
        const secret = fromEnv ? null : await readSecret(cloud, values['secret-stdin'], context.io);
        const existing = (await call(ctx(), 'accounts.list', {})).accounts.find((a) => a.name.toLowerCase() === values.name!.trim().toLowerCase());
        const account = await call(ctx(), 'accounts.save', {
          ...(existing ? { id: existing.id } : {}),
          cloud,
          name: values.name,
          region: values.region ?? null,
          endpoint: values.endpoint ?? null,
          fields,
          secretSource: fromEnv ? 'environment' : values.shared ? 'team' : 'keychain',
          ...(secret
            ? { secret: { accessKeyId: secret.accessKeyId, accessKeySecret: secret.accessKeySecret, ...(secret.securityToken ? { token: secret.securityToken } : {}) } }
            : {}),
        });
        const names = credentialEnvironment[cloud];
        if (fromEnv && !(context.io.env[names.id] && context.io.env[names.secret])) {
          context.io.stderr(`certvault account: note: ${names.id} and ${names.secret} are not set here; set them wherever certvault uploads with "${account.name}"\n`);
        }
        const where = fromEnv
          ? `secret read from ${names.id} / ${names.secret} at each use`
          : values.shared
            ? 'secret sealed with the team key, shared with the team'
            : 'secret stored in the OS keychain';
        out({ account: accountJson(account) }, `${existing ? 'updated' : 'added'} ${account.name} (${account.cloud}); ${where}\n`);
        return exitCodes.ok;
      }
      case 'list': {
        const { accounts } = await call(ctx(), 'accounts.list', {});
        out({ accounts: accounts.map(accountJson) }, listText(accounts));
        return exitCodes.ok;
      }
      case 'remove': {
        const name = onlyPositional(positionals, 'account NAME');
        const removed = await call(ctx(), 'accounts.remove', { id: name });
        out({ removed }, `removed ${name} and its keychain entry\n`);
        return exitCodes.ok;
      }
      case 'test': {
        const name = onlyPositional(positionals, 'account NAME');
        const result = await call(ctx(), 'accounts.test', { id: name });
        out({ account: name, ...testJson(result) }, testText(name, result));
        return result.verdict === 'works' ? exitCodes.ok : exitCodes.failure;
      }
      default:
        throw new UsageError(`unknown action "${action.slice(0, 40)}"; use add, list, remove or test`);
    }
  },
};

function parseCloud(value: string | undefined): CloudId {
  if (!value) throw new UsageError(`--cloud is required (${cloudIds.join(', ')})`);
  const cloud = cloudIds.find((id) => id === value);
  if (!cloud) throw new UsageError(`--cloud must be one of ${cloudIds.join(', ')}`);
  return cloud;
}

async function readSecret(cloud: CloudId, fromStdin: boolean, io: CliIo): Promise<CloudCredentials> {
  if (!fromStdin) {
    const fromEnv = credentialsFromEnvironment(cloud, io.env);
    if (fromEnv) return fromEnv;
  }
  const text = await io.readStdin();
  if (text.trim() === '') {
    const names = credentialEnvironment[cloud];
    throw new VaultError('account.invalid', { field: 'secret', reason: `none given: pipe it as JSON on stdin, or set ${names.id} and ${names.secret}` });
  }
  return credentialsFromJson(text);
}

function accountJson(account: CloudAccount) {
  return {
    id: account.id,
    name: account.name,
    cloud: account.cloud,
    region: account.region,
    endpoint: account.endpoint,
    fields: account.fields,
    defaultOptions: account.defaultOptions,
    secretSource: account.secretSource,
    secretStored: account.secretStored,
    owner: account.owner,
  };
}

function listText(accounts: readonly CloudAccount[]): string {
  if (accounts.length === 0) return 'No cloud accounts. Add one with: certvault account add --cloud CLOUD --name NAME\n';
  const rows = accounts.map((a) => [a.name, a.cloud, secretText(a), a.region ?? '-', a.endpoint ?? '-']);
  return table(['NAME', 'CLOUD', 'SECRET', 'REGION', 'ENDPOINT'], rows);
}

/** Whose secret: the team's, a member's keychain (team vault), this keychain or the environment. */
function secretText(account: CloudAccount): string {
  if (account.secretSource === 'team') return 'shared';
  if (account.owner) return `personal (${printable(account.owner.name)})`;
  return account.secretSource;
}

function testJson(result: ConnectionTest) {
  return {
    verdict: result.verdict,
    certificates: result.certificates,
    error: result.error ? { code: result.error.code, message: result.error.message, requestId: result.error.requestId } : null,
  };
}

function testText(name: string, result: ConnectionTest): string {
  if (result.verdict === 'works') return `${name}: works (${result.certificates} certificates listed)\n`;
  const error = result.error;
  // One line, hint included: a cloud's message may hold line breaks, so each part is made printable.
  const detail = error ? ` (${printable(error.code)}: ${printable(error.message)}${error.requestId ? `, request ${printable(error.requestId)}` : ''})` : '';
  const hint = error?.hint && error.hint.en !== error.message ? ` ${printable(error.hint.en)}` : '';
  return `${printable(name)}: ${result.verdict.replace('_', ' ')}${detail}${hint}\n`;
}
