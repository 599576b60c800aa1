import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DeployProgress, VerifiedDomain } from '../../../shared/deploy';
import type { LibraryEntry } from '../../../shared/library';
import type { CloudAccount } from '../../../shared/uploads';
import { sqliteVaultDb } from '../../../main/core/db/vault-db';
import { openDatabase } from '../../../main/core/db/open';
import { DeployService } from '../../../main/core/deploy/service';
import type { VerifyServed, WatchPolicy } from '../../../main/core/deploy/engine';
import { InventoryService } from '../../../main/core/inventory';
import { Vault } from '../../../main/core/library/vault';
import { UploadService } from '../../../main/core/uploads/service';
import { FakeClock } from '../../unit/uploads/support/fake-clock';
import { MemorySecrets, noHttp } from '../../unit/uploads/support/vault';
import { FakeDeployCloud } from './fake-deploy-cloud';

// A vault on disk (temp folder, in-memory keychain) with the real upload, inventory and deploy
// services over one scripted cloud and a virtual clock: what the engine tests drive.

export interface TestCert {
  readonly pem: string;
  readonly key: string;
}

/** Leaves under one throwaway CA, each with its names and lifetime (a renewal = same names, longer life). */
export function makeCerts(specs: readonly { names: readonly string[]; days: number }[]): TestCert[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'certvault-deploy-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  try {
    openssl('req', '-x509', ...ec, '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-subj', '/CN=Deploy Test CA', '-days', '3650');
    return specs.map(({ names, days }) => {
      writeFileSync(file('leaf.ext'), `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\n`);
      openssl('req', '-new', ...ec, '-nodes', '-keyout', file('leaf.key'), '-out', file('leaf.csr'), '-subj', `/CN=${names[0]}`);
      openssl('x509', '-req', '-in', file('leaf.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('leaf.crt'), '-days', String(days), '-extfile', file('leaf.ext'));
      return { pem: readFileSync(file('leaf.crt'), 'utf8'), key: readFileSync(file('leaf.key'), 'utf8') };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const fastWatch: WatchPolicy = { pollIntervalMs: 1000, maxPollIntervalMs: 4000, maxWatchMs: 120_000 };

export interface World {
  readonly dir: string;
  readonly clock: FakeClock;
  readonly cloud: FakeDeployCloud;
  readonly vault: Vault;
  readonly uploads: UploadService;
  readonly deploy: DeployService;
  readonly events: DeployProgress[];
  readonly verifyCalls: Parameters<VerifyServed>[0][];
  import(cert: TestCert, withKey?: boolean): Promise<LibraryEntry>;
  addAccount(name: string): Promise<CloudAccount>;
  /** A service over the same folder, as after a restart. */
  reopen(): DeployService;
  close(): void;
}

export function openWorld(options: { verify?: (domains: { domain: string; port: number | null }[], expected: string) => VerifiedDomain[]; dir?: string; cloud?: FakeDeployCloud; clock?: FakeClock; secrets?: MemorySecrets } = {}): World {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'certvault-deploy-vault-'));
  const clock = options.clock ?? new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const cloud = options.cloud ?? new FakeDeployCloud(clock);
  const secrets = options.secrets ?? new MemorySecrets();
  const now = () => new Date(clock.now());
  const vault = Vault.open({ dataDir: dir, secrets, now });
  const events: DeployProgress[] = [];
  const verifyCalls: Parameters<VerifyServed>[0][] = [];
  const opened: { close(): void }[] = [];
  const service = () => {
    const db = openDatabase(dir);
    opened.push(db);
    const providers = () => cloud.provider();
    // Uploads, the inventory and the deployments on one VaultDb, as vaultDbOf(ctx) gives the app one per context.
    const shared = sqliteVaultDb(db, { owned: false });
    const uploads = new UploadService({ vault: shared, secrets, providers, http: noHttp, emit: () => undefined, clock, random: () => 0.5 });
    const inventory = new InventoryService({ vault: shared, accounts: uploads.accounts, pacer: uploads.pacer, providers, http: noHttp, now });
    const verify: VerifyServed | undefined = options.verify
      ? async (input) => {
          verifyCalls.push(input);
          return options.verify!(input.domains, input.expectedFingerprint);
        }
      : undefined;
    const deploy = new DeployService({
      db: shared,
      uploads,
      inventory,
      vault: () => vault,
      deployers: () => cloud.deployer,
      http: noHttp,
      sealer: { seal: (p, c) => vault.sealAside(p, c), unseal: (s, c) => vault.unsealAside(s, c) },
      emit: (progress) => events.push(progress),
      clock,
      watch: fastWatch,
      random: () => 0.5,
      actor: { machine: 'ops-1', user: 'ann', member: null },
      ...(verify ? { verify } : {}),
    });
    return { uploads, deploy };
  };
  const first = service();
  return {
    dir,
    clock,
    cloud,
    vault,
    uploads: first.uploads,
    deploy: first.deploy,
    events,
    verifyCalls,
    async import(cert, withKey = true) {
      const result = await vault.importContent([{ name: 'cert.pem', data: new TextEncoder().encode(cert.pem + (withKey ? cert.key : '')) }]);
      const imported = result.imported[0];
      if (!imported) throw new Error(`import failed: ${JSON.stringify(result.failed)}`);
      return await vault.entry(imported.id);
    },
    async addAccount(name) {
      await first.uploads.accounts.save({ cloud: 'tencent', name }, { accessKeyId: name, accessKeySecret: `secret-of-${name}` });
      return first.uploads.confirmAccount(name, async () => true);
    },
    reopen: () => service().deploy,
    close() {
      for (const db of opened) db.close();
      vault.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
