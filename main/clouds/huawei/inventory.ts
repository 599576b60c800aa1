import { CloudError, type CallContext, type InventoryOptions, type RemoteBinding, type RemoteCopy } from '../provider';
import { isJsonObject, stringsOf, textOf } from '../json';
import { isLastPage, listedCopy, normalSerial, pageSizeOf, readCall } from '../remote-copy';
import { GLOBAL_INSTANCE, resolveProjectId, sendHuawei } from './client';

// The inventory of a Huawei APIG account (DEPLOY.md §3.1-3.4, §3.8): every gateway's certificates
// (ListInstancesV2, then ListCertificatesV2 per instance, all pages), ShowDetailsOfCertificateV2,
// and ListAttachedDomainsV2 for the domains each certificate serves. APIG never returns a PEM or a
// key, so there is no fingerprint: matching falls back to serial and issuer.

/** offset/limit everywhere: limit > 500 is cut to 500. */
const PAGE_MAX = 500;

/**
 * Which of five formats the server emits is unconfirmed (DEPLOY.md §3.0): ISO with Z, with an
 * offset, without a zone, or with a space. A time without a zone is taken as UTC.
 */
export function huaweiTimeToIso(value: unknown): string | null {
  const match = typeof value === 'string' ? /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim()) : null;
  if (!match) return null;
  const time = Date.parse(`${match[1]}T${match[2]}${match[3] ?? 'Z'}`);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

export async function pages(ctx: CallContext, path: string, query: Readonly<Record<string, string>>, field: string, size: number): Promise<Record<string, unknown>[]> {
  const projectId = await resolveProjectId(ctx);
  const items: Record<string, unknown>[] = [];
  for (let offset = 0; ; ) {
    const call = { method: 'GET', service: 'apig', path: `/v2/${projectId}/apigw${path}`, query: { ...query, offset: String(offset), limit: String(size) }, projectId } as const;
    const { body } = await readCall(ctx, () => sendHuawei(ctx, call));
    const page = Array.isArray(body[field]) ? body[field].filter(isJsonObject) : [];
    items.push(...page);
    offset += page.length;
    if (isLastPage(page.length, offset, body.total, size)) return items;
  }
}

/**
 * The gateways whose certificates to list: the global one, the account's own, and every instance
 * ListInstancesV2 shows where the key may list instances (an upload-only key may not).
 */
async function instanceIds(ctx: CallContext, size: number): Promise<string[]> {
  const ids = new Set([GLOBAL_INSTANCE]);
  const configured = ctx.account.fields.instanceId?.trim();
  if (configured) ids.add(configured);
  try {
    for (const instance of await pages(ctx, '/instances', {}, 'instances', size)) {
      const id = textOf(instance.id);
      if (id) ids.add(id);
    }
  } catch (error) {
    if (!(error instanceof CloudError && error.info.kind === 'auth')) throw error;
  }
  return [...ids];
}

export async function listHuaweiCopies(ctx: CallContext, options: InventoryOptions = {}): Promise<RemoteCopy[]> {
  const size = pageSizeOf(options.pageSize, PAGE_MAX);
  const found = new Map<string, RemoteCopy>();
  for (const instanceId of await instanceIds(ctx, size)) {
    for (const cert of await pages(ctx, '/certificates', { instance_id: instanceId }, 'certs', size)) {
      const id = textOf(cert.id);
      if (!id || found.has(id)) continue;
      found.set(
        id,
        listedCopy('huawei', id, {
          name: textOf(cert.name),
          commonName: textOf(cert.common_name),
          dnsNames: stringsOf(cert.san),
          notAfter: huaweiTimeToIso(cert.not_after),
        }),
      );
    }
  }
  return [...found.values()];
}

/**
 * The serial's spelling is undocumented (unconfirmed): digits only are read as decimal, the way a
 * BigInteger prints, and anything with a-f or ':' as hex.
 */
export function huaweiSerial(value: unknown): string | null {
  if (typeof value === 'string' && /^\d+$/.test(value)) return normalSerial(BigInt(value).toString(16));
  return normalSerial(value);
}

export async function huaweiDetail(ctx: CallContext, copy: RemoteCopy): Promise<RemoteCopy> {
  const projectId = await resolveProjectId(ctx);
  const path = `/v2/${projectId}/apigw/certificates/${encodeURIComponent(copy.remoteId)}`;
  const { body } = await readCall(ctx, () => sendHuawei(ctx, { method: 'GET', service: 'apig', path, projectId }));
  const san = stringsOf(body.san);
  const issuer = stringsOf(body.issuer);
  return {
    ...copy,
    name: textOf(body.name) ?? copy.name,
    commonName: textOf(body.common_name) ?? copy.commonName,
    dnsNames: san.length > 0 ? san : copy.dnsNames,
    notBefore: huaweiTimeToIso(body.not_before) ?? copy.notBefore,
    notAfter: huaweiTimeToIso(body.not_after) ?? copy.notAfter,
    serial: huaweiSerial(body.serial_number) ?? copy.serial,
    issuer: issuer.length > 0 ? issuer.join(', ') : copy.issuer,
  };
}

export async function huaweiBindings(ctx: CallContext, copies: readonly RemoteCopy[], options: InventoryOptions = {}): Promise<Map<string, RemoteBinding[]>> {
  const size = pageSizeOf(options.pageSize, PAGE_MAX);
  const bindings = new Map<string, RemoteBinding[]>();
  for (const copy of copies) {
    const domains = await pages(ctx, `/certificates/${encodeURIComponent(copy.remoteId)}/attached-domains`, {}, 'bound_domains', size);
    // A gateway with custom ingress ports lists one domain once per port: one binding each.
    const byDomain = new Map<string, RemoteBinding>();
    for (const domain of domains) {
      const name = textOf(domain.url_domain);
      const parts = [textOf(domain.instance_id), textOf(domain.api_group_id), textOf(domain.id)];
      if (!name || parts.some((part) => !part) || byDomain.has(name)) continue;
      byDomain.set(name, { type: 'apig-domain', id: parts.join('|'), name });
    }
    if (byDomain.size > 0) bindings.set(copy.remoteId, [...byDomain.values()]);
  }
  return bindings;
}
