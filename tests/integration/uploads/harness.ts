// A real vault (temp data folder, the throwaway Secret Service of scripts/with-keyring.sh), the
// real cloud providers over the product's HTTP client, and the five cloud emulators: what the app
// runs, with only the endpoints pointed at loopback.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Events, EventName } from '../../../shared/ipc';
import type { CloudId } from '../../../shared/model';
import type { CloudAccount, UploadJobSummary, UploadProgress } from '../../../shared/uploads';
import { createHttpClient } from '../../../main/clouds/http-client';
import { getProvider } from '../../../main/clouds/registry';
import { call } from '../../../main/cli/handler-context';
import { vaultDbOf } from '../../../main/core/db/context-db';
import type { HandlerContext } from '../../../main/core/ipc/context';
import { osKeychain } from '../../../main/core/keychain';
import { FileSettingsStore } from '../../../main/core/settings-store';
import { UploadService } from '../../../main/core/uploads/service';
import { startAliyunEmulator } from '../../emulators/aliyun';
import { defaultCredentials, defaultHuaweiProjects } from '../../emulators/credentials';
import { startHuaweiEmulator } from '../../emulators/huawei';
import type { RunningEmulator } from '../../emulators/server';
import { startTencentEmulator } from '../../emulators/tencent';
import { startVolcengineEmulator } from '../../emulators/volcengine';

export type Clouds = Record<CloudId, RunningEmulator>;

export async function startClouds(latencyMs = 0): Promise<Clouds> {
  return {
    tencent: await startTencentEmulator({ latencyMs }),
    'tencent-intl': await startTencentEmulator({ latencyMs }),
    huawei: await startHuaweiEmulator({ latencyMs }),
    volcengine: await startVolcengineEmulator({ latencyMs }),
    aliyun: await startAliyunEmulator({ latencyMs }),
  };
}

export async function stopClouds(clouds: Clouds): Promise<void> {
  await Promise.all(Object.values(clouds).map((emulator) => emulator.close()));
}

export function resetClouds(clouds: Clouds): void {
  for (const emulator of Object.values(clouds)) {
    emulator.state.reset();
    emulator.faults.clear();
  }
}

export function secretOf(cloud: CloudId): { accessKeyId: string; accessKeySecret: string } {
  return defaultCredentials[cloud === 'tencent-intl' ? 'tencent' : cloud];
}

/** The account fields each emulator needs (Huawei: the project of its region). */
export function accountInput(cloud: CloudId, name: string, endpoint: string) {
  const secret = secretOf(cloud);
  return {
    cloud,
    name,
    endpoint,
    ...(cloud === 'huawei' ? { region: 'cn-north-4', fields: { projectId: defaultHuaweiProjects['cn-north-4']! } } : {}),
    secret: { accessKeyId: secret.accessKeyId, accessKeySecret: secret.accessKeySecret },
  };
}

export interface TestApp {
  readonly dataDir: string;
  readonly ctx: HandlerContext;
  readonly events: { name: EventName; payload: unknown }[];
  readonly progress: () => UploadProgress[];
  close(): void;
}

/** A handler context like the window's, on a fresh data folder; `timeoutMs` bounds each cloud request. */
export function openApp(options: { dataDir?: string; timeoutMs?: number; concurrency?: number } = {}): TestApp {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-upload-it-'));
  const events: { name: EventName; payload: unknown }[] = [];
  let service: UploadService | null = null;
  const emit = <E extends EventName>(name: E, payload: Events[E]) => void events.push({ name, payload });
  const ctx: HandlerContext = {
    dataDir,
    appVersion: 'test',
    platform: process.platform,
    systemLocale: 'en',
    // Every account here points at an emulator on loopback, and the user confirms it.
    dialogs: { chooseFiles: async () => [], chooseSave: async () => null, confirmEndpoint: async () => true, confirmAccount: async () => true, confirmDataKeyReset: async () => true },
    events: { emit },
    settings: new FileSettingsStore(dataDir),
    now: () => new Date(),
    uploads: () =>
      (service ??= new UploadService({
        vault: vaultDbOf(ctx),
        secrets: osKeychain(),
        providers: getProvider,
        http: createHttpClient({ timeoutMs: options.timeoutMs ?? 10_000 }),
        emit: (progress) => emit('uploads.progress', progress),
        concurrency: options.concurrency,
      })),
  };
  return {
    dataDir,
    ctx,
    events,
    progress: () => events.filter((e) => e.name === 'uploads.progress').map((e) => e.payload as UploadProgress),
    close: () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

export async function addAccount(app: TestApp, cloud: CloudId, name: string, endpoint: string): Promise<CloudAccount> {
  return call(app.ctx, 'accounts.save', accountInput(cloud, name, endpoint));
}

export async function importEntry(app: TestApp, pem: string): Promise<string> {
  const result = await call(app.ctx, 'library.importContent', { files: [{ name: 'bundle.pem', data: new TextEncoder().encode(pem) }] });
  if (result.failed.length > 0) throw new Error(`import failed: ${JSON.stringify(result.failed)}`);
  return result.imported[0]!.id;
}

/** Waits until the job has a final result for every target. */
export async function waitForJob(app: TestApp, jobId: string, timeoutMs = 60_000): Promise<UploadJobSummary> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const summary = await call(app.ctx, 'uploads.job', { jobId });
    if (summary.done) return summary;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
