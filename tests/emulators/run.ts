// `npm run emulators`: every cloud emulator on a random loopback port, announced as one JSON line
// on stdout, running until SIGINT/SIGTERM. Tencent China and International are separate sites
// (separate accounts and certificates), so each gets its own instance.

import { startAliyunEmulator } from './aliyun';
import { defaultCredentials, defaultHuaweiInstance, defaultHuaweiProjects } from './credentials';
import { startHuaweiEmulator } from './huawei';
import type { RunningEmulator } from './server';
import { startTencentEmulator } from './tencent';
import { startVolcengineEmulator } from './volcengine';

async function main(): Promise<void> {
  const emulators: Record<string, RunningEmulator> = {
    tencent: await startTencentEmulator(),
    'tencent-intl': await startTencentEmulator(),
    huawei: await startHuaweiEmulator(),
    volcengine: await startVolcengineEmulator(),
    aliyun: await startAliyunEmulator(),
  };
  const announcement = {
    ...Object.fromEntries(Object.entries(emulators).map(([name, emulator]) => [name, emulator.url])),
    credentials: {
      ...defaultCredentials,
      huawei: { ...defaultCredentials.huawei, projects: defaultHuaweiProjects, instances: ['common', defaultHuaweiInstance] },
    },
  };
  process.stdout.write(`${JSON.stringify(announcement)}\n`);

  const stop = () => {
    Promise.all(Object.values(emulators).map((emulator) => emulator.close())).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`emulators failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
