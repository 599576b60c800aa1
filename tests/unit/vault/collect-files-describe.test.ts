import { describe as suite, expect, it } from 'vitest';
import { describe } from '../../../main/core/library/collect-files';

// What an import says of a file it could not read: words, not an errno.

function fsError(code: string): Error {
  return Object.assign(new Error(`${code}: raw`), { code });
}

suite('why a file could not be read', () => {
  it('names a symbolic link loop, a missing file, a refused one and a folder in words', () => {
    expect(describe(fsError('ELOOP'))).toBe('a symbolic link that loops back on itself; point it at a real file');
    expect(describe(fsError('ENOENT'))).toBe('no such file or folder');
    expect(describe(fsError('EACCES'))).toBe('permission denied');
    expect(describe(fsError('EISDIR'))).toBe('it is a folder');
  });
});
