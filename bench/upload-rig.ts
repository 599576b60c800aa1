import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CloudId } from '../shared/model';
import type { CloudAccount } from '../shared/uploads';
import type { HttpClient } from '../main/clouds/http';
import { createHttpClient } from '../main/clouds/http-client';
import type { UploadMaterial } from '../main/clouds/provider';
import { getProvider } from '../main/clouds/registry';
import { openDatabase } from '../main/core/db/open';
import { sqliteVaultDb } from '../main/core/db/vault-db';
import type { SecretStore } from '../main/core/keychain';
import { log } from '../main/core/log';
import { materialFromFiles } from '../main/core/uploads/material';
import { UploadService } from '../main/core/uploads/service';
import { defaultHuaweiProjects } from '../tests/emulators/credentials';
import type { EmulatorCredential } from '../tests/emulators/server';
import type { TestLeaf } from '../tests/integration/uploads/certs';

// What both upload benches share: the real UploadService and providers over a temp vault, pointed
// at the loopback emulators. Secrets in memory: the keychain is not what is being measured.

export class MemorySecrets implements SecretStore {
  private readonly entries = new Map<string, string>();
  async get(account: string) {
    return this.entries.get(account) ?? null;
  }
  async set(account: string, secret: string) {
    this.entries.set(account, secret);
  }
  async delete(account: string) {
    return this.entries.delete(account);
  }
}

/** Distinct key pairs, so each account of one cloud has its own certificates on the emulator. */
export function benchCredentials(cloud: CloudId, count: number): EmulatorCredential[] {
  return Array.from({ length: count }, (_, i) => ({ accessKeyId: `BENCH${cloud.toUpperCase().replace('-', '')}KEY${i}000000000000`, accessKeySecret: `bench-secret-${cloud}-${i}-0000000000000000` }));
}

export interface Rig {
  readonly service: UploadService;
  readonly dataDir: string;
  addAccount(cloud: CloudId, name: string, endpoint: string, credential: EmulatorCredential): Promise<CloudAccount>;
  close(): void;
}

export function openRig(http: HttpClient = createHttpClient({ timeoutMs: 30_000 })): Rig {
  log.setSink(null);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bench-'));
  const db = openDatabase(dataDir);
  const service = new UploadService({ vault: sqliteVaultDb(db, { owned: false }), secrets: new MemorySecrets(), providers: getProvider, http, emit: () => undefined });
  return {
    service,
    dataDir,
    // Confirmed as the user would in Accounts: uploads to an unconfirmed account are refused before any request.
    addAccount: async (cloud, name, endpoint, credential) => {
      const account = await service.accounts.save(
        { cloud, name, endpoint, ...(cloud === 'huawei' ? { region: 'cn-north-4', fields: { projectId: defaultHuaweiProjects['cn-north-4']! } } : {}) },
        credential,
      );
      return service.confirmAccount(account.id, async () => true);
    },
    close: () => {
      db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function materialOf(leaf: TestLeaf, dir: string): Promise<UploadMaterial> {
  const file = path.join(dir, `${leaf.host}.pem`);
  fs.writeFileSync(file, leaf.fullchain + leaf.key);
  return materialFromFiles({ certificate: file });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
