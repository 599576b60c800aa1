// The double covers the part of Electron that Cert Vault uses. When the product starts using
// another documented module, the test should say so plainly instead of failing on `undefined`.

/**
 * `implemented`, with a clear error for any of `documented` (Electron modules of this process that
 * the double does not model yet). Other names read as undefined, as on the real module.
 */
export function unimplemented<T extends object>(implemented: T, documented: readonly string[], processName: string): T {
  const missing = new Set(documented);
  return new Proxy(implemented, {
    get(target, key, receiver) {
      if (typeof key === 'string' && missing.has(key) && !Reflect.has(target, key)) {
        throw new Error(
          `electron.${key} (${processName}) is not modelled by tests/electron-double yet: add it there, following Electron's documentation for ${key}`,
        );
      }
      return Reflect.get(target, key, receiver);
    },
  });
}
