// PEM armour (RFC 7468): base64 in 64-character lines between BEGIN/END labels.

export function toPem(label: 'CERTIFICATE' | 'PRIVATE KEY', der: Buffer): string {
  const body = der.toString('base64').replace(/.{64}(?=.)/g, '$&\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}
