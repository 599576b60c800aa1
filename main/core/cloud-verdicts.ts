import type { CloudVerdict } from '../../shared/model';
import type { AccountConfig, UploadMaterial } from '../clouds/provider';
import { providers } from '../clouds/registry';
import type { ChainRoles, ParsedBundle, ParsedCertificate, VerdictSource } from './inspect';

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

export const cloudVerdicts: VerdictSource = (bundle, chain) => {
  const material = materialOf(bundle, chain);
  if (!material) return [];
  return Object.values(providers).map((provider): CloudVerdict => {
    const account: AccountConfig = { cloud: provider.id, region: null, endpoint: null, fields: {} };
    const accountFields = new Set(provider.accountFields.map((field) => field.key));
    const issues = provider
      .validate(material, provider.defaultOptions(material, account), account)
      .filter((issue) => !certificateFree(issue.field, accountFields))
      .map(({ field, message }) => ({ field, message }));
    return { cloud: provider.id, ok: issues.length === 0, issues };
  });
};
