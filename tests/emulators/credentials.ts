// The account each emulator accepts unless a test passes its own: the example pairs of
// REFERENCE.md, so the official SDKs' captured requests replay against the emulators unchanged.

import type { EmulatorCredential } from './server';

export const defaultCredentials = {
  tencent: { accessKeyId: 'AKIDEXAMPLE0000000000000000000000000', accessKeySecret: 'SECRETKEYEXAMPLE00000000000000000' },
  aliyun: { accessKeyId: 'LTAIEXAMPLEACCESSKEY', accessKeySecret: 'ExampleAccessKeySecret0000000000' },
  volcengine: { accessKeyId: 'AKLTEXAMPLEACCESSKEYID000000000000', accessKeySecret: 'ExampleSecretKey0000000000000000==' },
  huawei: { accessKeyId: 'HWAKEXAMPLE0000000000', accessKeySecret: 'HwSecretKeyExample00000000000000000000000' },
} as const satisfies Record<string, EmulatorCredential>;

/** Huawei's project ids per region: the captured example's id for cn-north-4. */
export const defaultHuaweiProjects: Readonly<Record<string, string>> = {
  'cn-north-4': '0123456789abcdef0123456789abcdef',
  'ap-southeast-1': 'fedcba9876543210fedcba9876543210',
};

/** A dedicated APIG gateway instance besides the shared 'common' one. */
export const defaultHuaweiInstance = 'f0fa1789-3b76-433b-a787-9892951c620e';

export function findCredential(
  credentials: readonly EmulatorCredential[],
  accessKeyId: string,
): EmulatorCredential | undefined {
  return credentials.find((credential) => credential.accessKeyId === accessKeyId);
}
