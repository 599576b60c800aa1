import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certvault } from '../../unit/cli/io';
import { TlsFront } from '../../emulators/tls-front';
import { makeTlsPki, type TlsPki } from './pki';

// `certvault check-served` end to end in-process: a loopback TLS front reached with --ip/--port
// (no DNS), the library match, --json, and the exit codes.

let pki: TlsPki;
let front: TlsFront;
let home: string;

beforeAll(async () => {
  pki = makeTlsPki();
  front = await TlsFront.start({ lookup: (domain) => (domain === 'www.site.test' ? { certPem: pki.old.chainPem, keyPem: pki.old.keyPem } : null) });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-check-served-'));
});
afterAll(async () => {
  await front.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const at = () => ['--ip', '127.0.0.1', '--port', String(front.port)];

describe('certvault check-served', () => {
  it('prints the served chain like inspect, and says it is not in the library', async () => {
    const run = await certvault(['check-served', 'www.site.test', ...at()], { home });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Served for www.site.test by 127.0.0.1 port ${front.port} (TLSv1.3)`);
    expect(run.stdout).toMatch(/Trusted\s+no \(/);
    expect(run.stdout).toMatch(/Library\s+not in the library/);
    expect(run.stdout).toContain('Certificate 1 (leaf)');
    expect(run.stdout).toContain('Certificate 2 (intermediate)');
    expect(run.stdout).toContain(pki.old.sha256);
  });

  it('names the library entry whose leaf is served; --json carries it with the inspection', async () => {
    const file = path.join(home, 'old.pem');
    fs.writeFileSync(file, pki.old.chainPem);
    const imported = await certvault(['import', '--json', file], { home });
    expect(imported.code).toBe(0);
    const id = (JSON.parse(imported.stdout) as { imported: { id: string }[] }).imported[0]!.id;

    const text = await certvault(['check-served', 'www.site.test', ...at()], { home });
    expect(text.stdout).toMatch(new RegExp(`Library\\s+matches library entry ${id}`));

    const json = await certvault(['check-served', `https://www.site.test:${front.port}/`, '--ip', '127.0.0.1', '--json'], { home });
    expect(json.code).toBe(0);
    expect(json.stdout.trim().split('\n')).toHaveLength(1);
    const doc = JSON.parse(json.stdout) as Record<string, unknown> & { inspection: { certificates: { fingerprintSha256: string }[] } };
    expect(doc).toMatchObject({ domain: 'www.site.test', port: front.port, leafFingerprintSha256: pki.old.sha256, authorized: false, libraryId: id });
    expect(doc.chainPem).toContain('BEGIN CERTIFICATE');
    expect(doc.inspection.certificates.map((c) => c.fingerprintSha256)[0]).toBe(pki.old.sha256);
  });

  it('exits 1 when nothing answers, naming the domain and port', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const run = await certvault(['check-served', 'www.site.test', '--ip', '127.0.0.1', '--port', String(port)], { home });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Cannot connect to www.site.test at 127.0.0.1 port ${port}`);
  });

  it.each([
    [['exa mple.com'], 'is not a host name'],
    [['www.site.test', '--port', 'abc'], '--port needs a whole number'],
    [['www.site.test', '--timeout', '0'], '--timeout needs a whole number'],
    [['www.site.test', '--ip', 'not-an-ip'], 'is not an IP address'],
    [['a.test', 'b.test'], 'give exactly one DOMAIN'],
  ])('exits 2 for bad input %j', async (args, message) => {
    const run = await certvault(['check-served', ...args], { home });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });
});
