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
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;
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
    let lastBodyLine = startLine;
    let ended = false;
    for (i++; i < lines.length; i++) {
      const line = lines[i]!.trim();
      const end = END.exec(line);
      if (end) {
        if (end[1] !== label) throw new VaultError('pem.unterminated_block', { file, line: startLine, label });
        ended = true;
        break;
      }
      if (BEGIN.test(line)) break;
      const header = body.length === 0 ? HEADER.exec(line) : null;
      if (header) headers[header[1]!] = header[2]!;
      else if (line !== '') {
        if (!BASE64_LINE.test(line)) throw new VaultError('pem.corrupt_base64', { file, line: i + 1, label });
        body.push(line);
        lastBodyLine = i + 1;
      }
    }
    if (!ended) throw new VaultError('pem.unterminated_block', { file, line: startLine, label });
    blocks.push({ label, der: decodeBase64(body, file, lastBodyLine, label), headers, line: startLine });
  }
  return blocks;
}

function decodeBase64(body: string[], file: string, lastLine: number, label: string): Uint8Array {
  const base64 = body.join('');
  // Padding may only end the text, and the length must be whole quanta; Buffer itself would
  // silently skip what it cannot decode.
  const padding = base64.indexOf('=');
  if (base64.length % 4 !== 0 || (padding >= 0 && padding < base64.length - 2) || base64.length === 0) {
    throw new VaultError('pem.corrupt_base64', { file, line: lastLine, label });
  }
  return Uint8Array.from(Buffer.from(base64, 'base64'));
}
