import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCa, makeLeaf, days } from '../tests/unit/vault/helpers/pki';

// 10,000 certificates with keys for the library benches: one CA, then EC P-256 leaves with two
// SANs each, spread over two years of expiry dates, one bundle file (certificate + key) per leaf
// and the CA certificate beside them, as a folder of issued certificates would look.

export const LIBRARY_SIZE = 10_000;

export async function libraryFixture(count = LIBRARY_SIZE): Promise<string> {
  const folder = path.join(os.tmpdir(), `certvault-bench-library-${count}`);
  if (fs.existsSync(path.join(folder, 'complete'))) return folder;
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  const ca = await makeCa('Bench Issuing CA');
  fs.writeFileSync(path.join(folder, 'ca.pem'), ca.certPem);
  const now = new Date();
  for (let i = 0; i < count; i++) {
    const host = `host${i}.${['example.com', 'example.net', 'corp.internal', 'shop.example.org'][i % 4]}`;
    const leaf = await makeLeaf(ca, {
      commonName: host,
      dnsNames: [host, `www.${host}`],
      notBefore: days(-30, now),
      notAfter: days((i % 730) - 30, now),
    });
    fs.writeFileSync(path.join(folder, `leaf-${String(i).padStart(5, '0')}.pem`), leaf.certPem + leaf.keyPem);
  }
  fs.writeFileSync(path.join(folder, 'complete'), '');
  return folder;
}
