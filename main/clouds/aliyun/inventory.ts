import { CloudError, type CallContext, type InventoryOptions, type RemoteBinding, type RemoteCopy } from '../provider';
import { isJsonObject, textOf, type JsonObject } from '../json';
import { addBinding, certificateBlocks, isLastPage, listedCopy, normalHex, normalSerial, pageSizeOf, pemFacts, readCall } from '../remote-copy';
import { callAliyun } from './client';

// The inventory of an Alibaba Cloud CAS account (DEPLOY.md §2.1-2.3): ListUserCertificateOrder
// (all pages, several order types), GetUserCertificateDetail, and ListCloudResources for what each
// certificate is bound to.

/** ShowSize's maximum is unconfirmed; 50 is the documented default, so it is known to be accepted. */
const LIST_MAX = 50;
/** ListCloudResources: default 20, maximum unconfirmed; DEPLOY.md's recipe pages with 50. */
const RESOURCES_MAX = 50;

interface ListPass {
  readonly params: Readonly<Record<string, string>>;
  /** Bought certificates need order permissions an upload-only key may lack: skipped then. */
  readonly optional: boolean;
}

// OrderType defaults to CPACK (quota orders, no uploads). UPLOAD without Status lists only valid
// certificates (ISSUED + WILLEXPIRED): expired ones need Status=EXPIRED, and an expiry radar needs
// them most. BUY and CPACK add certificates issued through Alibaba, where the key may list orders.
const PASSES: readonly ListPass[] = [
  { params: { OrderType: 'UPLOAD' }, optional: false },
  { params: { OrderType: 'UPLOAD', Status: 'EXPIRED' }, optional: false },
  { params: { OrderType: 'BUY' }, optional: true },
  { params: { OrderType: 'CPACK' }, optional: true },
];

/** "yyyy-MM-dd" (a calendar day, taken as 00:00 UTC) or epoch milliseconds, as ISO 8601. */
function dateOf(day: unknown, millis: unknown): string | null {
  const ms = typeof millis === 'number' ? millis : typeof millis === 'string' && /^\d+$/.test(millis) ? Number(millis) : null;
  if (ms !== null) return new Date(ms).toISOString();
  return typeof day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T00:00:00.000Z` : null;
}

function namesOf(sans: unknown, primary: string | null): string[] {
  const listed = typeof sans === 'string' ? sans.split(',').map((name) => name.trim()) : [];
  return [...new Set([...listed, ...(primary ? [primary] : [])].filter((name) => name !== ''))];
}

function copyOf(item: JsonObject): RemoteCopy | null {
  // Orders not yet issued (CPACK/BUY) have no certificate id and nothing to inventory.
  const remoteId = textOf(item.CertificateId);
  if (!remoteId) return null;
  const commonName = textOf(item.CommonName) ?? textOf(item.Domain);
  return listedCopy('aliyun', remoteId, {
    name: textOf(item.Name),
    commonName,
    dnsNames: namesOf(item.Sans, commonName),
    notBefore: dateOf(item.StartDate, item.CertStartTime),
    notAfter: dateOf(item.EndDate, item.CertEndTime),
    fingerprintSha256: normalHex(item.Sha2),
    serial: normalSerial(item.SerialNo),
    issuer: textOf(item.Issuer),
  });
}

export async function listAliyunCopies(ctx: CallContext, options: InventoryOptions = {}): Promise<RemoteCopy[]> {
  const size = pageSizeOf(options.pageSize, LIST_MAX);
  const found = new Map<string, RemoteCopy>();
  for (const pass of PASSES) {
    try {
      for (let page = 1; ; page += 1) {
        const params = { ...pass.params, CurrentPage: String(page), ShowSize: String(size) };
        const answer = await readCall(ctx, () => callAliyun(ctx, { action: 'ListUserCertificateOrder', params }));
        const items = Array.isArray(answer.CertificateOrderList) ? answer.CertificateOrderList.filter(isJsonObject) : [];
        for (const item of items) {
          const copy = copyOf(item);
          if (copy && !found.has(copy.remoteId)) found.set(copy.remoteId, copy);
        }
        if (isLastPage(items.length, (page - 1) * size + items.length, answer.TotalCount, size)) break;
      }
    } catch (error) {
      if (!(pass.optional && error instanceof CloudError && error.info.kind === 'auth')) throw error;
    }
  }
  return [...found.values()];
}

/**
 * GetUserCertificateDetail with CertFilter=true: without it the answer carries Key,
 * EncryptPrivateKey and SignPrivateKey, and a key is never fetched unless the user asks for that
 * entry. The filter also drops Cert, but Sha2, SerialNo and Issuer say everything matching needs.
 * Should a server ignore the filter, only the certificate blocks of Cert are kept.
 */
export async function aliyunDetail(ctx: CallContext, copy: RemoteCopy): Promise<RemoteCopy> {
  const answer = await readCall(ctx, () =>
    callAliyun(ctx, { action: 'GetUserCertificateDetail', params: { CertId: copy.remoteId, CertFilter: 'true' } }),
  );
  const pem = certificateBlocks(answer.Cert);
  const facts = pemFacts(pem);
  const commonName = textOf(answer.Common) ?? copy.commonName;
  const names = namesOf(answer.Sans, commonName);
  return {
    ...copy,
    name: textOf(answer.Name) ?? copy.name,
    commonName,
    dnsNames: names.length > 0 ? names : copy.dnsNames,
    notBefore: dateOf(answer.StartDate, answer.NotBefore) ?? copy.notBefore,
    notAfter: dateOf(answer.EndDate, answer.NotAfter) ?? copy.notAfter,
    fingerprintSha256: normalHex(answer.Sha2) ?? facts.fingerprintSha256 ?? copy.fingerprintSha256,
    serial: normalSerial(answer.SerialNo) ?? facts.serial ?? copy.serial,
    issuer: textOf(answer.Issuer) ?? facts.issuer ?? copy.issuer,
    certificatePem: pem,
  };
}

/**
 * ListCloudResources over the whole account, in one walk: each resource names the certificate it
 * currently serves (CertId). How fresh CAS's resource inventory is (whether the console's "sync"
 * must run first) is unconfirmed; what it answers is what is recorded.
 */
export async function aliyunBindings(ctx: CallContext, copies: readonly RemoteCopy[], options: InventoryOptions = {}): Promise<Map<string, RemoteBinding[]>> {
  const wanted = new Set(copies.map((copy) => copy.remoteId));
  const size = pageSizeOf(options.pageSize, RESOURCES_MAX);
  const bindings = new Map<string, RemoteBinding[]>();
  for (let page = 1; ; page += 1) {
    const params = { CloudName: 'aliyun', CurrentPage: String(page), ShowSize: String(size) };
    const answer = await readCall(ctx, () => callAliyun(ctx, { action: 'ListCloudResources', params }));
    const items = Array.isArray(answer.Data) ? answer.Data.filter(isJsonObject) : [];
    for (const item of items) {
      const certId = textOf(item.CertId);
      const id = textOf(item.Id);
      if (!certId || !id || !wanted.has(certId)) continue;
      addBinding(bindings, certId, { type: textOf(item.CloudProduct) ?? 'unknown', id, name: textOf(item.Domain) });
    }
    if (isLastPage(items.length, (page - 1) * size + items.length, answer.Total, size)) break;
  }
  return bindings;
}
