// The X.509 v3 extensions an engineer checks before a deployment (RFC 5280 §4.2).
import type { CertificatePolicy } from '../../../shared/model';
import { DerError, Tag, bitStringBytes, children, content, expectTag, readOid, readRoot, readString, toHex, type Tlv } from './der';
import { OID, extendedKeyUsages, keyUsageBits, policies } from './oids';

export interface Extensions {
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
  readonly emailAddresses: string[];
  readonly uris: string[];
  readonly keyUsage: string[];
  readonly extendedKeyUsage: string[];
  readonly isCA: boolean;
  readonly pathLength: number | null;
  readonly subjectKeyIdentifier: string | null;
  readonly authorityKeyIdentifier: string | null;
  readonly ocspUrls: string[];
  readonly caIssuerUrls: string[];
  readonly crlUrls: string[];
  readonly policies: CertificatePolicy[];
}

export function emptyExtensions(): Extensions {
  return {
    dnsNames: [],
    ipAddresses: [],
    emailAddresses: [],
    uris: [],
    keyUsage: [],
    extendedKeyUsage: [],
    isCA: false,
    pathLength: null,
    subjectKeyIdentifier: null,
    authorityKeyIdentifier: null,
    ocspUrls: [],
    caIssuerUrls: [],
    crlUrls: [],
    policies: [],
  };
}

/** Reads `[3] EXPLICIT Extensions`; extensions we do not show are skipped. */
export function readExtensions(bytes: Uint8Array, wrapper: Tlv): Extensions {
  type Mutable = { -readonly [K in keyof Extensions]: Extensions[K] };
  const out: Mutable = emptyExtensions();
  const [list] = children(bytes, wrapper);
  for (const ext of children(bytes, expectTag(list, Tag.Sequence, 'extensions'))) {
    const parts = children(bytes, expectTag(ext, Tag.Sequence, 'extension'));
    const oid = readOid(bytes, expectTag(parts[0], Tag.Oid, 'extension id'));
    const valueTlv = expectTag(parts[parts.length - 1], Tag.OctetString, 'extension value');
    const value = content(bytes, valueTlv);
    switch (oid) {
      case OID.extSubjectAltName:
        readGeneralNames(value, readRoot(value), out);
        break;
      case OID.extKeyUsage:
        out.keyUsage = readKeyUsage(value);
        break;
      case OID.extExtendedKeyUsage:
        out.extendedKeyUsage = children(value, readRoot(value)).map((t) => {
          const usage = readOid(value, t);
          return extendedKeyUsages[usage] ?? usage;
        });
        break;
      case OID.extBasicConstraints:
        Object.assign(out, readBasicConstraints(value));
        break;
      case OID.extSubjectKeyId:
        out.subjectKeyIdentifier = toHex(content(value, expectTag(readRoot(value), Tag.OctetString, 'subject key identifier')));
        break;
      case OID.extAuthorityKeyId:
        out.authorityKeyIdentifier = readAuthorityKeyId(value);
        break;
      case OID.extAuthorityInfoAccess:
        readAuthorityInfoAccess(value, out);
        break;
      case OID.extCrlDistributionPoints:
        out.crlUrls = readCrlDistributionPoints(value);
        break;
      case OID.extCertificatePolicies:
        out.policies = children(value, readRoot(value)).map((info) => {
          const policyOid = readOid(value, expectTag(children(value, info)[0], Tag.Oid, 'policy id'));
          return { oid: policyOid, name: policies[policyOid]?.name ?? null };
        });
        break;
    }
  }
  return out;
}

function readKeyUsage(value: Uint8Array): string[] {
  const bits = bitStringBytes(value, readRoot(value));
  const names: string[] = [];
  keyUsageBits.forEach((name, i) => {
    const byte = bits[i >> 3];
    if (byte !== undefined && byte & (0x80 >> (i & 7))) names.push(name);
  });
  return names;
}

function readBasicConstraints(value: Uint8Array): { isCA: boolean; pathLength: number | null } {
  let isCA = false;
  let pathLength: number | null = null;
  for (const item of children(value, readRoot(value))) {
    if (item.tag === Tag.Boolean) isCA = value[item.contentStart] !== 0;
    else if (item.tag === Tag.Integer) pathLength = readPathLength(value, item);
  }
  return { isCA, pathLength };
}

function readPathLength(value: Uint8Array, tlv: Tlv): number {
  if (tlv.contentEnd - tlv.contentStart > 4) throw new DerError(tlv.start, 'path length too large');
  let n = 0;
  for (let i = tlv.contentStart; i < tlv.contentEnd; i++) n = n * 256 + value[i]!;
  return n;
}

function readAuthorityKeyId(value: Uint8Array): string | null {
  for (const item of children(value, readRoot(value))) {
    if (item.tag === 0x80) return toHex(content(value, item)); // [0] keyIdentifier, implicit
  }
  return null;
}

function readAuthorityInfoAccess(value: Uint8Array, out: { ocspUrls: string[]; caIssuerUrls: string[] }): void {
  for (const access of children(value, readRoot(value))) {
    const [method, location] = children(value, access);
    if (!method || !location || location.tag !== 0x86) continue; // only URIs are fetchable
    const url = readString(value, location);
    const oid = readOid(value, method);
    if (oid === OID.accessOcsp) out.ocspUrls.push(url);
    else if (oid === OID.accessCaIssuers) out.caIssuerUrls.push(url);
  }
}

function readCrlDistributionPoints(value: Uint8Array): string[] {
  const urls: string[] = [];
  for (const point of children(value, readRoot(value))) {
    for (const field of children(value, point)) {
      if (field.tag !== 0xa0) continue; // distributionPoint
      for (const name of children(value, field)) {
        if (name.tag !== 0xa0) continue; // fullName: GeneralNames, implicitly tagged
        for (const general of children(value, name)) if (general.tag === 0x86) urls.push(readString(value, general));
      }
    }
  }
  return urls;
}

function readGeneralNames(
  value: Uint8Array,
  names: Tlv,
  out: { dnsNames: string[]; ipAddresses: string[]; emailAddresses: string[]; uris: string[] },
): void {
  for (const name of children(value, names)) {
    switch (name.tag) {
      case 0x81:
        out.emailAddresses.push(readString(value, name));
        break;
      case 0x82:
        out.dnsNames.push(readString(value, name));
        break;
      case 0x86:
        out.uris.push(readString(value, name));
        break;
      case 0x87:
        out.ipAddresses.push(formatIp(content(value, name), name.start));
        break;
    }
  }
}

/** IPv4 dotted quad, IPv6 in RFC 5952 form (lowercase, longest zero run compressed). */
export function formatIp(raw: Uint8Array, offset: number): string {
  if (raw.length === 4) return Array.from(raw).join('.');
  if (raw.length !== 16) throw new DerError(offset, 'IP address is neither 4 nor 16 bytes');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((raw[i]! << 8) | raw[i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
