import type { CallContext, InventoryOptions, RemoteBinding, RemoteCopy } from '../provider';
import { isJsonObject, stringsOf, textOf } from '../json';
import { addBinding, certificateBlocks, isLastPage, listedCopy, pageSizeOf, pemFacts, readCall } from '../remote-copy';
import { callVolcengine } from './client';

// The inventory of a Volcengine Live account (DEPLOY.md §4.1, §4.2, §4.7): ListCertV2 (all pages),
// DescribeCertDetailSecretV2 for the PEM chain, and ListDomainDetail for which domain serves which
// ChainID.

/** ListCertV2 documents no maximum PageSize; 100 is what the product has always asked for. */
const CERTS_MAX = 100;
/** ListDomainDetail: PageSize in [1, 1000]. */
const DOMAINS_MAX = 1000;

function iso(value: unknown): string | null {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/**
 * `Available` defaults to true (enabled certificates only) and what false lists is not spelled out
 * (unconfirmed): both are asked for and merged, so expired certificates are not missed.
 */
export async function listVolcengineCopies(ctx: CallContext, options: InventoryOptions = {}): Promise<RemoteCopy[]> {
  const size = pageSizeOf(options.pageSize, CERTS_MAX);
  const found = new Map<string, RemoteCopy>();
  for (const available of [true, false]) {
    for (let page = 1; ; page += 1) {
      // Paging applies only when both PageNum and PageSize are sent.
      const body = { Available: available, PageNum: page, PageSize: size };
      const { result } = await readCall(ctx, () => callVolcengine(ctx, 'ListCertV2', body));
      const items = Array.isArray(result.CertList) ? result.CertList.filter(isJsonObject) : [];
      for (const item of items) {
        const chainId = textOf(item.ChainID);
        if (!chainId || found.has(chainId)) continue;
        // CertDomainList may be the SANs or the domains using the certificate (unconfirmed): it
        // stands in as names until the detail's PEM says what the certificate covers.
        found.set(
          chainId,
          listedCopy('volcengine', chainId, {
            name: textOf(item.CertName),
            dnsNames: stringsOf(item.CertDomainList),
            notBefore: iso(item.NotBefore),
            notAfter: iso(item.NotAfter),
          }),
        );
      }
      if (isLastPage(items.length, (page - 1) * size + items.length, result.Total, size)) break;
    }
  }
  return [...found.values()];
}

/**
 * DescribeCertDetailSecretV2. Whether it also returns the private key is unconfirmed: only the
 * certificate blocks of SSL.Chain are read, so a key in the answer never leaves this function.
 */
export async function volcengineDetail(ctx: CallContext, copy: RemoteCopy): Promise<RemoteCopy> {
  const { result } = await readCall(ctx, () => callVolcengine(ctx, 'DescribeCertDetailSecretV2', { ChainID: copy.remoteId }));
  const ssl = isJsonObject(result.SSL) ? result.SSL : {};
  const pem = certificateBlocks(stringsOf(ssl.Chain).join('\n'));
  const facts = pemFacts(pem);
  return {
    ...copy,
    name: textOf(result.CertName) ?? copy.name,
    commonName: facts.commonName ?? copy.commonName,
    dnsNames: facts.dnsNames.length > 0 ? facts.dnsNames : copy.dnsNames,
    notBefore: facts.notBefore ?? iso(result.NotBefore) ?? copy.notBefore,
    notAfter: facts.notAfter ?? iso(result.NotAfter) ?? copy.notAfter,
    fingerprintSha256: facts.fingerprintSha256,
    serial: facts.serial,
    issuer: facts.issuer,
    certificatePem: pem,
  };
}

export async function volcengineBindings(ctx: CallContext, copies: readonly RemoteCopy[], options: InventoryOptions = {}): Promise<Map<string, RemoteBinding[]>> {
  const wanted = new Set(copies.map((copy) => copy.remoteId));
  const size = pageSizeOf(options.pageSize, DOMAINS_MAX);
  const bindings = new Map<string, RemoteBinding[]>();
  for (let page = 1; ; page += 1) {
    const { result } = await readCall(ctx, () => callVolcengine(ctx, 'ListDomainDetail', { PageNum: page, PageSize: size }));
    const domains = Array.isArray(result.DomainList) ? result.DomainList.filter(isJsonObject) : [];
    for (const domain of domains) {
      // An unbound domain's ChainID may be empty or absent (unconfirmed): both read as none.
      const chainId = textOf(domain.ChainID);
      const name = textOf(domain.Domain);
      if (!chainId || !name || !wanted.has(chainId)) continue;
      addBinding(bindings, chainId, { type: `live-${textOf(domain.Type) ?? 'domain'}`, id: name, name });
    }
    if (isLastPage(domains.length, (page - 1) * size + domains.length, result.Total, size)) break;
  }
  return bindings;
}
