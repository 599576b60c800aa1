import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cloudIds } from '../../../shared/model';
import { providers } from '../../../main/clouds/registry';

// STYLE.md: "A fifth cloud is a new folder copying tencent/, a new emulator, and one line in a
// registry." That holds only while every cloud folder keeps the same small shape.

const root = join(__dirname, '../../../main/clouds');
const folders = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

describe('cloud folders', () => {
  // A cloud that deploys keeps its deployer in deploy.ts; a large one may split it into deploy-*.ts
  // beside it, so the deploy code of every cloud is found by the same name.
  it('each hold exactly sign.ts, client.ts, errors.ts, inventory.ts and index.ts, and deploy.ts (+ deploy-*.ts) once it deploys', async () => {
    expect(folders.length).toBeGreaterThanOrEqual(4);
    const registered = new Set(Object.values(providers));
    for (const folder of folders) {
      const files = readdirSync(join(root, folder)).sort();
      const deployFiles = files.filter((file) => file === 'deploy.ts' || /^deploy-[a-z-]+\.ts$/.test(file));
      expect(files.filter((file) => !deployFiles.includes(file)), folder).toEqual(['client.ts', 'errors.ts', 'index.ts', 'inventory.ts', 'sign.ts']);
      const exported = Object.values((await import(join(root, folder, 'index.ts'))) as Record<string, unknown>).filter((value) => registered.has(value as never));
      const deploys = exported.some((provider) => (provider as { deployer?: unknown }).deployer !== undefined);
      expect(files.includes('deploy.ts'), `${folder}: deploy.ts beside a provider's deployer`).toBe(deploys);
      if (!deploys) expect(deployFiles, `${folder}: deploy-*.ts only beside a deployer`).toEqual([]);
    }
  });

  it('each export a provider the registry lists under its own id', async () => {
    const registered = new Set(Object.values(providers));
    for (const folder of folders) {
      const entry = join(root, folder, 'index.ts');
      const exported = Object.values((await import(entry)) as Record<string, unknown>).filter((value) => registered.has(value as never));
      expect(exported.length, folder).toBeGreaterThan(0);
    }
    for (const id of cloudIds) expect(providers[id].id).toBe(id);
  });

  it('each offer every inventory verb, so a sync covers every cloud', () => {
    for (const id of cloudIds) {
      const provider = providers[id];
      expect([typeof provider.listRemote, typeof provider.remoteDetail, typeof provider.bindings], id).toEqual(['function', 'function', 'function']);
    }
  });
});
