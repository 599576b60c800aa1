import { call } from './handler-context';
import { defineCommand, exitCodes, jsonOption, UsageError } from './command';
import { inspectionJson, inspectionText } from './inspect-output';
import { jsonDocument } from './output';
import { passwordOptions, readPassword } from './password';

const help = `Usage: certvault inspect [--json] [--password-file FILE | --password-stdin] FILE...

Shows what certificate, key, PKCS#7 and PKCS#12 files contain: every certificate's fields, the
chain from leaf to root with each signature checked, which key matches which certificate, and the
problems found (expired, chain incomplete, key mismatch, ...). The format is detected from the
content, not the file name. All FILEs are inspected together, so a certificate, its chain and its
key may be in separate files.

Options:
  --json                one JSON document on one line of stdout (certificates, privateKeys, chain, problems)
  --pretty              with --json: indented over several lines
  --password-file FILE  password for encrypted keys and PKCS#12 files: the first line of FILE
  --password-stdin      read that password from the first line of standard input
  -h, --help            show this help

Exit codes: 0 the input was parsed (problems such as expiry are reported, not fatal);
2 a file is unusable (unreadable, not a certificate, wrong password), named on stderr.
`;

export const inspectCommand = defineCommand({
  name: 'inspect',
  summary: 'show what certificate, key, PKCS#7 or PKCS#12 files contain',
  help,
  options: { ...jsonOption, ...passwordOptions },
  positionals: true,
  async run({ values, positionals }, { io, handlers }) {
    if (positionals.length === 0) throw new UsageError('no FILE given');
    const password = await readPassword(values, io);
    const inspection = await call(handlers(), 'inspect.paths', { paths: positionals, ...(password === undefined ? {} : { password }) });
    io.stdout(values.json ? jsonDocument(inspectionJson(inspection), values.pretty) : inspectionText(inspection));
    return exitCodes.ok;
  },
});
