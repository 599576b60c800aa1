import type { UploadMaterial } from './provider';

// Facts about UploadMaterial that several cloud folders need.

/** Leaf followed by the intermediates, each PEM block ending in exactly one LF. */
export function fullChainPem(certificatePem: string, chainPem: string): string {
  return [certificatePem, chainPem]
    .map((pem) => pem.trim())
    .filter((pem) => pem !== '')
    .map((pem) => `${pem}\n`)
    .join('');
}

export function isSm2(material: UploadMaterial): boolean {
  return material.leaf.keyAlgorithm === 'SM2' || material.sm2Sign !== null;
}

/** PKCS#8 `ENCRYPTED PRIVATE KEY`, or a traditional PEM with `Proc-Type: 4,ENCRYPTED`. */
export function isEncryptedKey(pem: string): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem);
}
