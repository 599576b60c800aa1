// PEM (RFC 7468) blocks found anywhere in a text: before, after and between them may stand
// anything (`openssl x509 -text` output, notes, blank lines), lines may end in CRLF.
import { VaultError } from '../../../shared/errors';

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
  /** RFC 1421 headers of legacy encrypted keys (Proc-Type, DEK-Info). */
  readonly headers: Readonly<Record<string, string>>;
  /** 1-based line of the BEGIN line, for messages. */
  readonly line: number;
}

const BEGIN = /^-----BEGIN ([A-Z0-9][A-Z0-9 #-]*)-----$/;
const END = /^-----END ([A-Z0-9][A-Z0-9 #-]*)-----$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEADER = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/;

export function hasPemBlock(text: string): boolean {
  return text.includes('-----BEGIN ');
}

export function readPemBlocks(text: string, file: string): PemBlock[] {
  const lines = text.split(/\r\n|\r|\n/);
  const blocks: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN.exec(lines[i]!.trim());
    if (!begin) continue;
    const label = begin[1]!;
    const startLine = i + 1;
    const headers: Record<string, string> = {};
    const body: string[] = [];
    const bodyLines: number[] = [];
    let ended = false;
    for (i++; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line.startsWith('-----')) {
        const end = END.exec(line);
        if (end && end[1] === label) ended = true;
        break;
      }
      const header = body.length === 0 && line.includes(':') ? HEADER.exec(line) : null;
      if (header) headers[header[1]!] = header[2]!;
      else if (line !== '') {
        body.push(line);
        bodyLines.push(i + 1);
      }
    }
    if (!ended) throw new VaultError('pem.unterminated_block', { file, line: startLine, label });
    blocks.push({ label, der: decodeBase64(body, bodyLines, startLine, file, label), headers, line: startLine });
  }
  return blocks;
}

function decodeBase64(body: string[], bodyLines: number[], beginLine: number, file: string, label: string): Uint8Array {
  const base64 = body.join('');
  // One pass over the whole body; Buffer itself would silently skip what it cannot decode.
  // Padding may only end the text, and the length must be whole quanta.
  if (base64.length > 0 && base64.length % 4 === 0 && BASE64.test(base64)) return Buffer.from(base64, 'base64');
  // Point at the first line with a foreign character or with padding before the end.
  const bad = body.findIndex((text, i) => !BASE64.test(text) || (i < body.length - 1 && text.includes('=')));
  const line = bodyLines[bad >= 0 ? bad : bodyLines.length - 1] ?? beginLine;
  throw new VaultError('pem.corrupt_base64', { file, line, label });
}
