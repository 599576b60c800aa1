import type { LibraryEntryDetail } from '../../shared/library';
import type { CloudVerdict, Inspection } from '../../shared/model';
import type { AccountConfig, UploadMaterial } from '../clouds/provider';
import { providers } from '../clouds/registry';
import type { ChainRoles, ParsedBundle, ParsedCertificate, VerdictSource } from './inspect';
import type { Vault } from './library/vault';
import { materialFromLibrary } from './uploads/material';

// "Would this certificate be accepted by each cloud?" for the inspector: every provider's own
// pre-flight with its default options. Issues about the account (region, project, endpoint) are
// not the certificate's fault, so they are left to the upload form, which knows the account.

const certificateFree = (field: string, accountFields: ReadonlySet<string>): boolean =>
  field === 'region' || field === 'endpoint' || accountFields.has(field);

function keyPemOf(bundle: ParsedBundle, certificate: ParsedCertificate): string | null {
  return bundle.privateKeys.find(({ matches }) => matches === certificate)?.key.pkcs8Pem ?? null;
}

/** The same shape an upload sends; SM2 dual pairs put the encryption pair first, as the clouds expect. */
export function materialOf(bundle: ParsedBundle, chain: ChainRoles): UploadMaterial | null {
  if (!chain.leaf) return null;
  const chainPem = chain.intermediates.map((c) => c.info.pem).join('');
  if (chain.sm2Pair) {
    const { sign, encrypt } = chain.sm2Pair;
    return {
      leaf: sign.info,
      certificatePem: encrypt.info.pem,
      chainPem,
      privateKeyPem: keyPemOf(bundle, encrypt),
      sm2Sign: { certificatePem: sign.info.pem, privateKeyPem: keyPemOf(bundle, sign) },
    };
  }
  return { leaf: chain.leaf.info, certificatePem: chain.leaf.info.pem, chainPem, privateKeyPem: keyPemOf(bundle, chain.leaf), sm2Sign: null };
}

export function verdictsFor(material: UploadMaterial): CloudVerdict[] {
  return Object.values(providers).map((provider): CloudVerdict => {
    const account: AccountConfig = { cloud: provider.id, region: null, endpoint: null, fields: {} };
    const accountFields = new Set(provider.accountFields.map((field) => field.key));
    const issues = provider
      .validate(material, provider.defaultOptions(material, account), account)
      .filter((issue) => !certificateFree(issue.field, accountFields))
      .map(({ field, message }) => ({ field, message }));
    return { cloud: provider.id, ok: issues.length === 0, issues };
  });
}

export const cloudVerdicts: VerdictSource = (bundle, chain) => {
  const material = materialOf(bundle, chain);
  return material ? verdictsFor(material) : [];
};

/** A stored entry's certificates without a usable key (none stored, or the data key is gone). */
function keylessMaterial(inspection: Inspection): UploadMaterial | null {
  const byFingerprint = new Map(inspection.certificates.map((cert) => [cert.fingerprintSha256, cert]));
  const [leaf, ...issuers] = inspection.chain.order.flatMap((fp) => byFingerprint.get(fp) ?? []);
  if (!leaf) return null;
  const chainPem = issuers.filter((cert) => !cert.selfSigned).map((cert) => cert.pem).join('');
  const encrypt = inspection.chain.encryptionCertificate ? byFingerprint.get(inspection.chain.encryptionCertificate) : undefined;
  if (encrypt) return { leaf, certificatePem: encrypt.pem, chainPem, privateKeyPem: null, sm2Sign: { certificatePem: leaf.pem, privateKeyPem: null } };
  return { leaf, certificatePem: leaf.pem, chainPem, privateKeyPem: null, sm2Sign: null };
}

/**
 * The library's detail view with the per-cloud verdicts. A sealed key is opened in this process
 * only, exactly as an upload would send it, and never leaves it.
 */
export async function entryDetailWithVerdicts(vault: Vault, id: string): Promise<LibraryEntryDetail> {
  const detail = await vault.detail(id);
  const material = detail.keyState === 'sealed' ? (await materialFromLibrary(vault, detail.id)).material : keylessMaterial(detail.inspection);
  return { ...detail, inspection: { ...detail.inspection, verdicts: material ? verdictsFor(material) : [] } };
}
