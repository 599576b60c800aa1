// What a CLI command pays to open the vault and answer about one entry, on a vault of one entry
// (its first certificate) and on the library of bench/library-fixture.ts (10,000, or --size N): `certvault show <fingerprint
// prefix>` (entry, key state, lineage, inspection against the library's CAs) and `certvault list
// --search <fingerprint>`, through the CLI's own handler context and dispatch. Each run is a fresh
// process, so nothing is warm but the OS file cache, as for a command typed in a shell; the time is
// taken inside it from before opening the database to the answer (Node's own start-up is the same
// for both vaults and not the vault's to pay).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliHandlerContext, call } from '../main/cli/handler-context';
import { Vault } from '../main/core/library/vault';
import { log } from '../main/core/log';
import { MemorySecretStore } from '../tests/unit/vault/helpers/memory-secret-store';
import { LIBRARY_SIZE, importedVaultCopy, keychainOf, libraryFixture } from './library-fixture';
import { recordGrowth, writeSection } from './report';
import { sizedTitle } from './size';

const RUNS = 7;

interface Timing {
  readonly showMs: number;
  readonly listMs: number;
}

async function child(dataDir: string, fingerprint: string, secrets: MemorySecretStore): Promise<Timing> {
  log.setSink(null);
  const start = process.hrtime.bigint();
  const vault = Vault.open({ dataDir, secrets });
  const ctx = { ...cliHandlerContext({ dataDir, appVersion: 'bench', env: process.env }), vault: () => vault };
  await call(ctx, 'library.get', { id: fingerprint.slice(0, 16) });
  const shown = process.hrtime.bigint();
  const listStart = process.hrtime.bigint();
  const vault2 = Vault.open({ dataDir, secrets });
  const ctx2 = { ...ctx, vault: () => vault2 };
  await call(ctx2, 'library.list', { search: fingerprint, limit: 1 });
  const listed = process.hrtime.bigint();
  await vault.close();
  await vault2.close();
  return { showMs: Number(shown - start) / 1e6, listMs: Number(listed - listStart) / 1e6 };
}

function timeInChildren(dataDir: string, fingerprint: string): Timing {
  const runs: Timing[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = spawnSync(process.execPath, [...process.execArgv, __filename, 'child', dataDir, fingerprint], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`cli-start child failed: ${out.stderr}`);
    runs.push(JSON.parse(out.stdout.trim().split('\n').at(-1)!) as Timing);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { showMs: median(runs.map((r) => r.showMs)), listMs: median(runs.map((r) => r.listMs)) };
}

export async function run(): Promise<void> {
  log.setSink(null);
  const big = await importedVaultCopy();
  const probe = Vault.open({ dataDir: big, secrets: keychainOf(big) });
  const fingerprint = (await probe.list({ offset: Math.floor(LIBRARY_SIZE / 3), limit: 1 })).entries[0]!.fingerprintSha256;
  await probe.close();
  const small = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bench-small-'));
  const secrets = new MemorySecretStore();
  const smallVault = Vault.open({ dataDir: small, secrets });
  const folder = await libraryFixture();
  const { imported } = await smallVault.importPaths([path.join(folder, 'ca.pem'), path.join(folder, 'leaf-00000.pem')]);
  await smallVault.close();
  fs.writeFileSync(path.join(small, 'bench-keychain.json'), JSON.stringify([...secrets.secrets]));
  const onSmall = timeInChildren(small, imported[0]!.fingerprintSha256);
  const onBig = timeInChildren(big, fingerprint);
  fs.rmSync(big, { recursive: true, force: true });
  fs.rmSync(small, { recursive: true, force: true });
  const load = os.loadavg()[0]!.toFixed(1);
  console.log(`cli start: show ${onBig.showMs.toFixed(1)} ms on ${LIBRARY_SIZE} (${onSmall.showMs.toFixed(1)} on one entry), list --search ${onBig.listMs.toFixed(1)} ms (${onSmall.listMs.toFixed(1)}) (load ${load})`);
  recordGrowth(LIBRARY_SIZE, [
    { measure: 'CLI: open the vault + show one entry (ms)', value: onBig.showMs, digits: 1 },
    { measure: 'CLI: open the vault + list --search a fingerprint (ms)', value: onBig.listMs, digits: 1 },
  ]);
  writeSection(
    sizedTitle('CLI start on a large vault', LIBRARY_SIZE),
    `A fresh process per run (median of ${RUNS}), through the CLI's handler context and dispatch, timed from before opening the database to the answer: schema check, then \`certvault show <fingerprint prefix>\` (entry, key state, renewals, inspection with the library's CA certificates as anchors) or \`certvault list --search <full fingerprint>\`. The one-entry vault holds the fixture's first certificate (and its CA); the difference is what the library's size costs a command. Load average ${load} on 2 shared cores; Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

| Vault | Open + show one entry (ms) | Open + list --search a fingerprint (ms) |
| --- | ---: | ---: |
| 1 entry | ${onSmall.showMs.toFixed(1)} | ${onSmall.listMs.toFixed(1)} |
| ${LIBRARY_SIZE.toLocaleString('en')} entries | ${onBig.showMs.toFixed(1)} | ${onBig.listMs.toFixed(1)} |`,
  );
}

if (process.argv[2] === 'child') {
  const [dataDir, fingerprint] = process.argv.slice(3) as [string, string];
  void child(dataDir, fingerprint, keychainOf(dataDir)).then((timing) => console.log(JSON.stringify(timing)));
}
