import { describe, expect, it } from 'vitest';
import { limits } from '../../../shared/ipc';
import { dispatch } from '../../../main/core/ipc/dispatch';
import { testHandlerContext } from '../electron/handler-context';

// Dropped files reach the main process as bytes: the contract bounds them before any handler runs.

const file = (name: string, bytes: number) => ({ name, data: new Uint8Array(bytes) });

describe('limits on dropped files', () => {
  it.each(['inspect.content', 'library.importContent'] as const)('%s refuses a file over 5 MB, naming it', async (channel) => {
    const result = await dispatch(testHandlerContext(), channel, { files: [file('ok.pem', 10), file('huge.pfx', limits.maxInputBytes + 1)] });
    expect(result).toEqual({
      ok: false,
      error: { code: 'input.too_large', message: expect.stringContaining('huge.pfx'), params: { file: 'huge.pfx', size: '5.1 MB', limit: '5.0 MB' } },
    });
  });

  it.each(['inspect.content', 'library.importContent'] as const)('%s refuses files that together exceed the request cap', async (channel) => {
    const count = Math.floor(limits.maxRequestBytes / limits.maxInputBytes) + 1;
    const files = Array.from({ length: count }, (_, i) => file(`${i}.pem`, limits.maxInputBytes));
    const result = await dispatch(testHandlerContext(), channel, { files });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'ipc.bad_request', message: expect.stringContaining('together') }) });
  });

  it('lets a file of exactly 5 MB through to the inspector', async () => {
    const result = await dispatch(testHandlerContext(), 'inspect.content', { files: [file('zeros.bin', limits.maxInputBytes)] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).not.toMatch(/^ipc\.|too_large/);
  });
});
