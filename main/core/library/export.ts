import { VaultError } from '../../../shared/errors';
import type { ExportFormat, LibraryEntry } from '../../../shared/library';
import { expiryCalendar } from './ics';
import { buildPkcs12 } from './pkcs12';
import { toPem } from './pem';

// Renders one entry in an export format. Certificates come from the database; private keys are
// unsealed only when the format needs them (`unsealKeys` is called at most once).

export interface EntryKeys {
  /** PKCS#8 DER of the leaf's (for SM2: the signing certificate's) key. */
  readonly leaf: Buffer;
  /** PKCS#8 DER of the SM2 encryption certificate's key. */
  readonly encrypt: Buffer | null;
}

export interface ExportMaterial {
  readonly entry: LibraryEntry;
  readonly leaf: Buffer;
  /** Issuers in order, leaf's issuer first. */
  readonly chain: readonly Buffer[];
  readonly encryptCertificate: Buffer | null;
  readonly unsealKeys: () => Promise<EntryKeys>;
}

export interface ExportOptions {
  readonly password?: string;
  readonly legacy?: boolean;
  /** Days before expiry for the calendar reminder. */
  readonly reminderDays: number;
  readonly now: Date;
}

export interface RenderedExport {
  readonly bytes: Buffer;
  /** Private key material inside: written with owner-only permissions. */
  readonly secret: boolean;
  readonly extension: string;
}

/** Which formats carry a private key: the UI asks for explicit confirmation before these. */
export const keyFormats: ReadonlySet<ExportFormat> = new Set(['key', 'bundle', 'pfx']);

export async function renderExport(format: ExportFormat, material: ExportMaterial, options: ExportOptions): Promise<RenderedExport> {
  const { entry } = material;
  const certs = (ders: readonly Buffer[]) => ders.map((der) => toPem('CERTIFICATE', der)).join('');
  const keys = async (): Promise<EntryKeys> => {
    if (!entry.hasKey) throw new VaultError('export.no_key', { name: entry.name });
    return material.unsealKeys();
  };
  const text = (value: string, extension: string, secret = false): RenderedExport => ({
    bytes: Buffer.from(value, 'utf8'),
    secret,
    extension,
  });

  switch (format) {
    case 'pem':
      return text(certs([material.leaf]), 'pem');
    case 'der':
      return { bytes: Buffer.from(material.leaf), secret: false, extension: 'cer' };
    case 'chain':
      if (material.chain.length === 0) throw new VaultError('export.no_chain', { name: entry.name });
      return text(certs(material.chain), 'pem');
    case 'fullchain':
      return text(certs([material.leaf, ...material.chain]), 'pem');
    case 'key': {
      const { leaf, encrypt } = await keys();
      return text([leaf, encrypt].filter(isBuffer).map((der) => toPem('PRIVATE KEY', der)).join(''), 'key', true);
    }
    case 'bundle': {
      // Leaf, its chain, then its key; an SM2 dual entry adds the encryption certificate and key.
      const { leaf, encrypt } = await keys();
      const parts = [certs([material.leaf, ...material.chain]), toPem('PRIVATE KEY', leaf)];
      if (material.encryptCertificate && encrypt) parts.push(certs([material.encryptCertificate]), toPem('PRIVATE KEY', encrypt));
      return text(parts.join(''), 'pem', true);
    }
    case 'pfx': {
      if (!options.password) throw new VaultError('export.password_required');
      const { leaf } = await keys();
      const bytes = buildPkcs12({
        certificates: [material.leaf, ...material.chain],
        privateKeyPkcs8: leaf,
        password: options.password,
        legacy: options.legacy ?? false,
        friendlyName: entry.name,
      });
      return { bytes, secret: true, extension: 'pfx' };
    }
    case 'ics':
      return text(
        expiryCalendar({
          name: entry.name,
          fingerprintSha256: entry.fingerprintSha256,
          commonName: entry.commonName,
          dnsNames: entry.dnsNames,
          notAfter: entry.notAfter,
          reminderDays: options.reminderDays,
          now: options.now,
        }),
        'ics',
      );
  }
}

function isBuffer(value: Buffer | null): value is Buffer {
  return value !== null;
}
