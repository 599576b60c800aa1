// Crafted certificate sets for the hostile-input tests and bench/hostile-chain.ts.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/**
 * `cas` self-signed CA certificates all named "CN=CA" (each its own key, no key identifiers), and
 * `leaves` certificates naming "CN=CA" as issuer but signed by a key none of those CAs holds:
 * every (leaf, CA) pair looks plausible and none verifies.
 */
export async function sameNamedCas(cas: number, leaves: number): Promise<string> {
  const pems: string[] = [];
  const base = { notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 365 * DAY), signingAlgorithm: EC };
  for (let i = 0; i < cas; i++) {
    const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      ...base,
      serialNumber: (1000 + i).toString(16),
      name: 'CN=CA',
      keys,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    });
    pems.push(cert.toString('pem'));
  }
  const stranger = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  for (let i = 0; i < leaves; i++) {
    const cert = await x509.X509CertificateGenerator.create({
      ...base,
      serialNumber: (100000 + i).toString(16),
      subject: `CN=leaf${i}.test`,
      issuer: 'CN=CA',
      publicKey: stranger.publicKey,
      signingKey: stranger.privateKey,
    });
    pems.push(cert.toString('pem'));
  }
  return `${pems.join('\n')}\n`;
}
