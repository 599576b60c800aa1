import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { log } from '../../../main/core/log';
import { makeCliFixtures, MOZILLA, opensslFacts, PFX_PASSWORD, type CliFixtures } from './fixtures';
import { certvault } from './io';

let fx: CliFixtures;
let home: string;
let logged: string[];

beforeAll(() => {
  fx = makeCliFixtures();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-home-'));
});
afterAll(() => {
  fx.cleanup();
  fs.rmSync(home, { recursive: true, force: true });
  log.setSink((line) => process.stderr.write(`${line}\n`));
});
beforeEach(() => {
  logged = [];
  log.setSink((line) => logged.push(line));
});

const json = async (args: string[], extra: { stdin?: string; now?: Date } = {}) => {
  const run = await certvault(['inspect', '--json', ...args], { home, ...extra });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
};

describe('certvault inspect --json', () => {
  it('prints the documented shape, chain ordered leaf to root whatever the file order', async () => {
    const doc = await json([fx.fullchain, fx.leafKey]);
    expect(Object.keys(doc)).toEqual(['certificates', 'privateKeys', 'chain', 'problems', 'clouds']);
    expect(doc.clouds.map((verdict: { cloud: string; ok: boolean }) => [verdict.cloud, verdict.ok])).toEqual([
      ['tencent', true],
      ['tencent-intl', true],
      ['aliyun', true],
      ['huawei', true],
      ['volcengine', true],
    ]);
    expect(doc.certificates).toHaveLength(3);
    for (const cert of doc.certificates) {
      expect(Object.keys(cert)).toEqual([
        'fingerprintSha256', 'serialNumber', 'subject', 'commonName', 'issuer', 'dnsNames', 'ipAddresses',
        'notBefore', 'notAfter', 'keyAlgorithm', 'keySize', 'curve', 'signatureAlgorithm', 'isCA', 'selfSigned',
      ]);
      expect(cert.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(cert.serialNumber).toMatch(/^[0-9a-f]+$/);
      expect(cert.serialNumber === '0' || !cert.serialNumber.startsWith('0')).toBe(true);
    }
    const leaf = opensslFacts(fx.leaf);
    const intermediate = opensslFacts(fx.intermediate);
    const root = opensslFacts(fx.root);
    expect(doc.chain).toEqual({
      order: [leaf.fingerprintSha256, intermediate.fingerprintSha256, root.fingerprintSha256],
      complete: true,
      verified: true,
      root: { fingerprint: root.fingerprintSha256, name: 'Test Root CA', trustedBy: 'input', fromInput: true },
    });
    expect(doc.privateKeys).toEqual([{ keyAlgorithm: 'RSA', matchesFingerprintSha256: leaf.fingerprintSha256 }]);

    expect(leaf.dnsNames).toEqual(['www.example.test', 'example.test']);
    expect(leaf.ipAddresses).toEqual(['192.0.2.7']);
    const leafCert = doc.certificates.find((c: { fingerprintSha256: string }) => c.fingerprintSha256 === leaf.fingerprintSha256);
    expect(Date.parse(leafCert.notAfter)).toBe(Date.parse(leaf.notAfter));
    expect(leafCert).toMatchObject({
      commonName: 'www.example.test',
      serialNumber: leaf.serialNumber,
      dnsNames: leaf.dnsNames,
      ipAddresses: leaf.ipAddresses,
      keyAlgorithm: 'RSA',
      keySize: 2048,
      curve: null,
      isCA: false,
      selfSigned: false,
    });
    const rootCert = doc.certificates.find((c: { fingerprintSha256: string }) => c.fingerprintSha256 === root.fingerprintSha256);
    expect(rootCert).toMatchObject({ keyAlgorithm: 'EC', curve: 'P-256', isCA: true, selfSigned: true, commonName: 'Test Root CA' });
  });

  it.each(['ISRG_Root_X1.crt', 'ISRG_Root_X2.crt', 'DigiCert_Global_Root_G2.crt', 'GlobalSign_Root_CA.crt', 'Certum_Trusted_Network_CA.crt'])(
    'agrees with openssl on the Mozilla root %s',
    async (name) => {
      const file = path.join(MOZILLA, name);
      const facts = opensslFacts(file);
      const [cert] = (await json([file])).certificates;
      expect(cert.fingerprintSha256).toBe(facts.fingerprintSha256);
      expect(cert.serialNumber).toBe(facts.serialNumber);
      expect(Date.parse(cert.notBefore)).toBe(Date.parse(facts.notBefore));
      expect(Date.parse(cert.notAfter)).toBe(Date.parse(facts.notAfter));
      expect(cert.dnsNames).toEqual(facts.dnsNames);
      expect(cert.selfSigned).toBe(true);
    },
  );

  it('reports a key that matches nothing as a problem, not a failure', async () => {
    const doc = await json([fx.leaf, fx.otherKey]);
    expect(doc.privateKeys).toEqual([{ keyAlgorithm: 'EC', matchesFingerprintSha256: null }]);
    expect(doc.problems.map((p: { code: string }) => p.code)).toContain('key.mismatch');
  });

  it('reports expiry as a problem with exit 0', async () => {
    const doc = await json([fx.leaf], { now: new Date(Date.now() + 400 * 24 * 3600 * 1000) });
    expect(doc.problems.map((p: { code: string }) => p.code)).toContain('cert.expired');
  });

  it('opens a PKCS#12 with the password from --password-file (first line only)', async () => {
    const doc = await json(['--password-file', fx.passwordFile, fx.pfx]);
    expect(doc.certificates).toHaveLength(2);
    expect(doc.privateKeys[0].matchesFingerprintSha256).toBe(opensslFacts(fx.leaf).fingerprintSha256);
  });

  it('takes the password from --password-stdin, CRLF or not', async () => {
    for (const stdin of [`${PFX_PASSWORD}\n`, `${PFX_PASSWORD}\r\n`, PFX_PASSWORD]) {
      const doc = await json(['--password-stdin', fx.encryptedKey, fx.leaf], { stdin });
      expect(doc.privateKeys[0].matchesFingerprintSha256).toBe(opensslFacts(fx.leaf).fingerprintSha256);
    }
  });
});

describe('certvault inspect (text)', () => {
  it('prints aligned fields, the chain and the problems', async () => {
    const run = await certvault(['inspect', fx.fullchain, fx.leafKey], { home });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Certificate 1 \(leaf\)\n {2}Subject {11}CN=www\.example\.test\n/);
    expect(run.stdout).toContain('Certificate 3 (root)');
    expect(run.stdout).toMatch(/ {2}DNS names {9}www\.example\.test, example\.test/);
    expect(run.stdout).toMatch(/Not after .*\(\d+ days left\)/);
    expect(run.stdout).toContain('Order             1 www.example.test  ->  2 Test Intermediate CA  ->  3 Test Root CA');
    expect(run.stdout).toContain('Matches           certificate 1');
    // Every field's value starts in one column, however long its label ("Authority key ID").
    const beforeProblems = run.stdout.slice(0, run.stdout.indexOf('\nProblems'));
    const fieldLines = beforeProblems.split('\n').filter((line) => line.startsWith('  '));
    expect(fieldLines.length).toBeGreaterThan(20);
    expect(run.stdout).toMatch(/^ {2}Authority key ID {2}[0-9a-f]/m);
    for (const line of fieldLines) expect(line.slice(2, 20)).toMatch(/\s{2}$/);
    expect(run.stdout).toMatch(/Problems/);
  });

  it('names an expired certificate in plain words', async () => {
    const run = await certvault(['inspect', fx.leaf], { home, now: new Date(Date.now() + 400 * 24 * 3600 * 1000) });
    expect(run.stdout).toMatch(/expired \d+ days ago/);
    expect(run.stdout).toMatch(/^ {2}error +.+/m);
  });
});

describe('certvault inspect: unusable input', () => {
  const expectOneLine = (stderr: string, pattern: RegExp) => {
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(stderr).toMatch(pattern);
    expect(stderr).not.toMatch(/\n\s+at |\.ts:\d+/);
  };

  it('exits 2 naming a missing file', async () => {
    const run = await certvault(['inspect', path.join(fx.dir, 'nope.pem')], { home });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expectOneLine(run.stderr, /^certvault inspect: .*nope\.pem/);
  });

  it('exits 2 naming a file that is not a certificate', async () => {
    const run = await certvault(['inspect', '--json', fx.leaf, fx.junk], { home });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expectOneLine(run.stderr, /junk\.bin.*not a certificate/);
  });

  it('exits 2 on a wrong or missing password', async () => {
    const wrong = path.join(fx.dir, 'wrong.txt');
    fs.writeFileSync(wrong, 'not it\n');
    const run = await certvault(['inspect', '--password-file', wrong, fx.pfx], { home });
    expect(run.code).toBe(2);
    expectOneLine(run.stderr, /Wrong password for .*bundle\.p12/);
    expect(run.stderr).toContain('Check the first line of --password-file');
    const missing = await certvault(['inspect', fx.encryptedKey], { home });
    expect(missing.code).toBe(2);
    // The catalog says "supply its password"; on a command line that means an option.
    expectOneLine(missing.stderr, /leaf-encrypted\.key.*password.* Give it with --password-file FILE or --password-stdin\./);
  });

  it('exits 2 when the password file cannot be read', async () => {
    const run = await certvault(['inspect', '--password-file', path.join(fx.dir, 'no-such-pass'), fx.pfx], { home });
    expect(run.code).toBe(2);
    expectOneLine(run.stderr, /no-such-pass.*no such file/);
  });

  it.each([
    [['inspect'], /no FILE given/],
    [['inspect', '--pasword-file', 'x', 'cert.pem'], /^certvault inspect: unknown option "--pasword-file": passwords are never taken from the command line/],
    [['inspect', '--password', 'hunter2', 'cert.pem'], /unknown option "--password": passwords are never taken .*--password-file FILE or --password-stdin/],
    [['inspect', '--jsn', 'cert.pem'], /^certvault inspect: unknown option "--jsn" \(see/],
    [['inspect', '--json=yes', 'cert.pem'], /^certvault inspect: --json takes no value \(see/],
    [['inspect', 'cert.pem', '--password-file'], /^certvault inspect: --password-file needs a value \(see/],
    [['inspect', '--password-file', 'a', '--password-stdin', 'cert.pem'], /cannot be used together/],
  ])('exits 2 on a bad command line: %j', async (args, pattern) => {
    const run = await certvault(args, { home });
    expect(run.code).toBe(2);
    expectOneLine(run.stderr, pattern);
    expect(run.stderr).toContain('(see certvault inspect --help)');
  });

  it('never prints a password it was given', async () => {
    const wrong = path.join(fx.dir, 'wrong-secret.txt');
    fs.writeFileSync(wrong, 'S3cr3t-Pa55\n');
    const run = await certvault(['inspect', '--password-file', wrong, fx.pfx], { home });
    expect(run.stderr + run.stdout + logged.join('\n')).not.toContain('S3cr3t-Pa55');
  });
});
