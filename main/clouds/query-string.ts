// The query encoding the signers share with their SDKs (Huawei `urlEncode`, Volcengine `uriEscape`,
// Alibaba's percent-encoding): what is signed must be byte for byte what the gateway decodes.

/** RFC 3986: only `A-Za-z0-9-_.~` stay literal; encodeURIComponent leaves `!'()*`, so they are encoded here. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `k=v` pairs, both halves encoded, sorted by the unencoded name, joined with `&` (Huawei, Volcengine). */
export function canonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name]!)}`)
    .join('&');
}
