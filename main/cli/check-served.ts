import type { ServedInspection } from '../../shared/deploy';
import { printable } from '../../shared/printable';
import { call } from './handler-context';
import { defineCommand, exitCodes, jsonOption, onlyPositional, UsageError } from './command';
import { inspectionJson, inspectionText } from './inspect-output';
import { jsonDocument } from './output';

const MAX_TIMEOUT_SECONDS = 120;

const help = `Usage: certvault check-served DOMAIN [--ip IP] [--port N] [--timeout S] [--json]

Connects to DOMAIN over TLS, as a visitor's browser does (the name sent as SNI), and shows the
certificate chain the server sends, inspected as \`certvault inspect\` shows a file, and whether
the leaf is an entry of the library. DOMAIN may be host, host:port or an https:// address (its
host and port are used). The connection is direct: HTTPS_PROXY is not used, since a proxy would
choose the server (and an intercepting one would show its own certificate).

Options:
  --ip IP        connect to this address instead of the one DNS gives (split DNS, one server
                 behind a load balancer); the name is still sent as SNI
  --port N       the port (default 443, or the one in DOMAIN)
  --timeout S    give up after S seconds, 1-${MAX_TIMEOUT_SECONDS} (default 10)
  --json         one JSON document on one line of stdout:
                 {"domain","address","port","protocol","chainPem","leafFingerprintSha256","authorized",
                  "authorizationError","libraryId","libraryName","inspection":{as certvault inspect --json}}
  --pretty       with --json: indented over several lines
  -h, --help     show this help

Exit codes: 0 the chain was read (an untrusted or expired chain is reported, not fatal); 1 the
server could not be reached or did not complete a TLS handshake; 2 a bad DOMAIN, IP, port or option.
`;

export const checkServedCommand = defineCommand({
  name: 'check-served',
  summary: 'show the certificate a server serves for a domain over TLS',
  help,
  options: { ...jsonOption, ip: { type: 'string' }, port: { type: 'string' }, timeout: { type: 'string' } },
  positionals: true,
  async run({ values, positionals }, { io, handlers }) {
    const domain = onlyPositional(positionals, 'DOMAIN');
    const result = await call(handlers(), 'tls.served', {
      domain,
      ...(values.ip === undefined ? {} : { ip: values.ip }),
      ...(values.port === undefined ? {} : { port: wholeNumber(values.port, '--port', 1, 65535) }),
      ...(values.timeout === undefined ? {} : { timeoutSeconds: wholeNumber(values.timeout, '--timeout', 1, MAX_TIMEOUT_SECONDS) }),
    });
    io.stdout(values.json ? jsonDocument(servedJson(result), values.pretty) : servedText(result));
    return exitCodes.ok;
  },
});

function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw new UsageError(`${flag} needs a whole number from ${min} to ${max}`);
  return value;
}

function servedJson({ served, inspection, libraryId, libraryName }: ServedInspection) {
  return { ...served, libraryId, libraryName, inspection: inspectionJson(inspection) };
}

function servedText({ served, inspection, libraryId, libraryName }: ServedInspection): string {
  const library = libraryId ? `matches library entry ${libraryId}${libraryName ? ` (${printable(libraryName)})` : ''}` : 'not in the library';
  const trust = served.authorized ? 'yes, valid for this name' : `no${served.authorizationError ? ` (${printable(served.authorizationError)})` : ''}`;
  const header = [
    `Served for ${served.domain} by ${served.address} port ${served.port}${served.protocol ? ` (${served.protocol})` : ''}`,
    `  ${'Trusted'.padEnd(18)}${trust}`,
    `  ${'Library'.padEnd(18)}${library}`,
  ].join('\n');
  return `${header}\n\n${inspectionText(inspection)}`;
}
