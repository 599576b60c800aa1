import { VaultError } from '../../../shared/errors';
import { parseInputs } from '../inspect/bundle';
import type { InputFile } from '../inspect/decode';
import { readInputFileSync } from '../inspect/read-files';
import { toFacts, type CertificateFacts, type CertificateMaterial, type KeyMaterial, type ParsedSource } from './material';
import { certificateKeyId, privateKeyId } from './public-key-id';

// One input file through the inspector's parser (format detected from content; PEM, DER, PKCS#7,
// PKCS#12, encrypted keys) into the certificates and keys the import files away. Files are parsed
// one at a time so a bad file fails alone; plan.ts then pairs keys and chains across files.

export type SourceInput = InputFile;

/** How an import parses one file: in this thread (parseLocally), or in the parse worker (main/core/parse-worker). */
export type SourceParser = (input: SourceInput, password: string | undefined) => Promise<ParsedSource<CertificateFacts>>;

/** One file's outcome in a batch: a bad file fails alone. */
export type ParseOutcome = { readonly ok: true; readonly value: ParsedSource<CertificateFacts> } | { readonly ok: false; readonly error: unknown };

/**
 * How an import parses files: several per call, in order, so a folder pays one trip to the parse
 * worker per batch rather than per file (on a loaded machine each trip waits for the thread to be
 * scheduled: bench/library-import.ts).
 */
export type SourceBatchParser = (inputs: readonly SourceInput[], password: string | undefined) => Promise<ParseOutcome[]>;

export const parseLocally: SourceParser = async (input, password) => toFacts(await parseSource(input, password));

/** Each file in turn, in this thread. */
export const parseAllLocally: SourceBatchParser = async (inputs, password) => {
  const outcomes: ParseOutcome[] = [];
  for (const input of inputs) {
    try {
      outcomes.push({ ok: true, value: await parseLocally(input, password) });
    } catch (error) {
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
};

/**
 * How an import reads and parses a folder's files, several per call, in order: in the parse
 * worker (main/core/parse-worker), so the files are read and parsed while the calling thread
 * writes the ones before, or in this thread. It may answer fewer files than asked (the caller asks
 * again for the rest), never none.
 */
export type FileBatchParser = (files: readonly string[], password: string | undefined) => Promise<ParseOutcome[]>;

/**
 * Input bytes one call reads before it answers: bounds what a batch of large bundles holds at once
 * (a batch of 64 typical files is about 150 KB of certificates and keys).
 */
const FILE_BATCH_BYTES = 8 * 1024 * 1024;

/** Each file read and parsed in turn, in this thread, until the batch's bytes are read. */
export const readAndParseLocally: FileBatchParser = async (files, password) => {
  const outcomes: ParseOutcome[] = [];
  let bytes = 0;
  for (const file of files) {
    if (bytes >= FILE_BATCH_BYTES) break;
    try {
      const data = readInputFileSync(file);
      bytes += data.length;
      outcomes.push({ ok: true, value: await parseLocally({ name: file, data }, password) });
    } catch (error) {
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
};

export async function parseSource(input: SourceInput, password: string | undefined): Promise<ParsedSource> {
  const bundle = await parseInputs([input], password === undefined ? {} : { password });
  const certificates: CertificateMaterial[] = bundle.certificates.map(({ certificate }) => ({
    der: ownCopy(certificate.der),
    info: certificate.info,
    spkiSha256: certificateKeyId(certificate),
  }));
  const keys: KeyMaterial[] = bundle.privateKeys.map(({ key, matches }) => ({
    pkcs8: pemBody(key.pkcs8Pem),
    algorithm: key.keyAlgorithm,
    matchesFingerprintSha256: matches?.info.fingerprintSha256 ?? null,
    spkiSha256: privateKeyId(key),
  }));
  if (certificates.length === 0 && keys.length === 0) throw new VaultError('vault.nothing_to_import', { file: input.name });
  return { file: input.name, certificates, keys };
}

function pemBody(pem: string): Buffer {
  return ownCopy(Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64'));
}

/**
 * A copy in memory of its own. Small buffers are carved out of Node's shared 8 KB pool, so a
 * 500-byte certificate kept until the end of an import would keep alive the whole slab around it,
 * filled by the parser's temporary buffers: 2.6 KB per file (bench/library-import.ts).
 */
function ownCopy(bytes: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  copy.set(bytes);
  return copy;
}
