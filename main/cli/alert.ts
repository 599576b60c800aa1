import { VaultError } from '../../shared/errors';
import { alertsOf } from '../core/alerts/service';
import type { WebhookResult } from '../core/alerts/webhooks/send';
import type { Webhook } from '../core/alerts/webhooks/store';
import { isWebhookKind, webhookKinds, webhookTargetFromJson, type WebhookKind } from '../core/alerts/webhooks/target';
import { exitCodes, jsonOption, onlyPositional, parseAction, UsageError, type Command } from './command';
import { jsonDocument, table } from './output';

const help = `Usage: certvault alert add --kind KIND --name NAME [--json]   (reads {"url","secret"?} from stdin)
       certvault alert list [--json]
       certvault alert remove [--json] NAME
       certvault alert test [--json] NAME

Webhooks that certvault notify sends expiry alerts to. KIND is one of:
  wecom     WeCom (企业微信) group bot: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
  dingtalk  DingTalk custom robot: https://oapi.dingtalk.com/robot/send?access_token=…, "secret" the
            SEC… value of its 加签 setting (signed timestamp and sign on every message)
  feishu    Feishu/Lark custom bot: https://open.feishu.cn/open-apis/bot/v2/hook/…, "secret" the key
            of its 签名校验 setting
  slack     Slack incoming webhook: https://hooks.slack.com/services/…
  json      any HTTPS endpoint: {"source":"certvault","text","notifications":[…]}; with "secret", the
            headers X-CertVault-Timestamp and X-CertVault-Signature: sha256=HMAC(secret, timestamp + "." + body)

The URL (it carries the bot's token) and the secret go into the OS keychain, never onto the
command line, and are never printed. https only (http only for 127.0.0.1, ::1 or localhost).
"test" posts a test message and says whether the platform took it.

  --json   one JSON document on one line of stdout (--pretty: indented)

Exit codes: 0 success, 1 the test message was not taken, 2 bad input or an unknown NAME,
5 the keychain is unavailable.
`;

const options = { ...jsonOption, kind: { type: 'string' }, name: { type: 'string' } } as const;

export const alertCommand: Command = {
  name: 'alert',
  summary: 'add, list, remove and test the webhooks expiry alerts go to (URLs in the OS keychain)',
  help,
  async run(args, context) {
    const parsed = parseAction(args, { options, help }, context.io);
    if (typeof parsed === 'number') return parsed;
    const { action, commandLine: { values, positionals } } = parsed;
    const out = (json: unknown, text: string) => context.io.stdout(values.json ? jsonDocument(json, values.pretty) : text);
    const alerts = () => alertsOf(context.handlers());
    switch (action) {
      case 'add': {
        if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]!.slice(0, 40)}"; the URL is read from stdin, never from arguments`);
        const kind = parseKind(values.kind);
        if (!values.name) throw new UsageError('--name is required');
        const text = await context.io.readStdin();
        if (text.trim() === '') throw new VaultError('alert.invalid', { field: 'stdin', reason: 'nothing given: pipe {"url":"https://…","secret":"…"} (secret optional) on stdin' });
        const webhook = await alerts().webhooks.add(values.name, kind, webhookTargetFromJson(kind, text));
        out({ webhook: webhookJson(webhook) }, `added ${webhook.name} (${webhook.kind}); URL stored in the OS keychain\n`);
        return exitCodes.ok;
      }
      case 'list': {
        const webhooks = await alerts().webhooks.list();
        out(
          { webhooks: webhooks.map(webhookJson) },
          webhooks.length === 0 ? 'No webhooks. Add one with: certvault alert add --kind KIND --name NAME < url.json\n' : table(['NAME', 'KIND', 'ADDED'], webhooks.map((w) => [w.name, w.kind, w.createdAt.slice(0, 10)])),
        );
        return exitCodes.ok;
      }
      case 'remove': {
        const name = onlyPositional(positionals, 'webhook NAME');
        await alerts().webhooks.remove(name);
        out({ removed: name }, `removed ${name} and its keychain entry\n`);
        return exitCodes.ok;
      }
      case 'test': {
        const result = await alerts().test(onlyPositional(positionals, 'webhook NAME'));
        out({ webhook: webhookResultJson(result) }, result.status === 'sent' ? `${result.name}: test message sent\n` : '');
        if (result.error && !values.json) context.io.stderr(`certvault alert: ${result.error.message}\n`);
        if (result.error?.code === 'keychain.unavailable') return exitCodes.keychainUnavailable;
        return result.status === 'sent' ? exitCodes.ok : exitCodes.failure;
      }
      default:
        throw new UsageError(`unknown action "${action.slice(0, 40)}"; use add, list, remove or test`);
    }
  },
};

function parseKind(value: string | undefined): WebhookKind {
  if (!value || !isWebhookKind(value)) throw new UsageError(`--kind must be one of ${webhookKinds.join(', ')}`);
  return value;
}

function webhookJson(webhook: Webhook) {
  return { name: webhook.name, kind: webhook.kind, createdAt: webhook.createdAt };
}

export function webhookResultJson(result: WebhookResult) {
  return { name: result.name, kind: result.kind, status: result.status, error: result.error ? { code: result.error.code, message: result.error.message } : null };
}
