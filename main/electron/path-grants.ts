import fs from 'node:fs';
import path from 'node:path';
import type { Result } from '../../shared/errors';
import type { Channel } from '../../shared/ipc';
import { isInside } from './app-url';

// The window is not trusted with the file system. Eight channels name a path (the CLI passes its
// own arguments to them), so from the window a path is accepted only when the user picked it in a
// dialog of this session: files.choose grants reading, files.chooseSave grants writing. A page
// taken over by a malicious certificate field or a renderer bug can then neither read ~/.ssh
// through inspect.paths nor drop an exported key into ~/.bashrc through library.export.
// A folder chosen for reading covers the files inside it: an import names them when it sends the
// password-protected ones again (and in nothing else: writing is to the exact file chosen).
// Paths are compared where they really lead (`canonical`), never as text: `<chosen>/link/../x` names
// a file beside wherever `link` points, which a textual `..` would wrongly place inside <chosen>.

type Access = 'read' | 'write';

/** Where each path-taking channel keeps its paths, and what it does with them. */
const pathFields: Partial<Record<Channel, { readonly access: Access; readonly paths: (request: Record<string, unknown>) => unknown[] }>> = {
  'inspect.paths': { access: 'read', paths: (request) => asList(request.paths) },
  'library.import': { access: 'read', paths: (request) => asList(request.paths) },
  'library.export': { access: 'write', paths: (request) => [request.path] },
  'history.exportCsv': { access: 'write', paths: (request) => [request.path] },
  'vault.backup': { access: 'write', paths: (request) => [request.path] },
  'vault.restore': { access: 'read', paths: (request) => [request.path] },
  // A team vault's CA file: absent means the system's CAs, so an absent field asks for no grant.
  'team.create': { access: 'read', paths: (request) => (request.caFile === undefined ? [] : [request.caFile]) },
  'team.join': { access: 'read', paths: (request) => (request.caFile === undefined ? [] : [request.caFile]) },
};

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

export class PathGrants {
  private readonly granted: Record<Access, Set<string>> = { read: new Set(), write: new Set() };

  /** Remembers the paths a dialog returned to the window. */
  record(channel: Channel, result: Result<unknown>): void {
    if (!result.ok) return;
    const value = result.value as { paths?: unknown; path?: unknown };
    if (channel === 'files.choose') this.add('read', asList(value.paths));
    if (channel === 'files.chooseSave') this.add('write', [value.path]);
  }

  /**
   * The first path of the request that the user did not choose for this use, or null when all
   * were (or the channel takes no path). Anything that is not a string is left to the schema.
   */
  ungranted(channel: Channel, request: unknown): string | null {
    const fields = pathFields[channel];
    if (!fields || typeof request !== 'object' || request === null) return null;
    const stray = fields.paths(request as Record<string, unknown>).find((file) => typeof file === 'string' && !this.allows(fields.access, file));
    return typeof stray === 'string' ? stray : null;
  }

  private allows(access: Access, file: string): boolean {
    const real = canonical(file);
    if (real === null) return false;
    if (this.granted[access].has(real)) return true;
    return access === 'read' && [...this.granted.read].some((chosen) => isInside(chosen, real));
  }

  private add(access: Access, paths: readonly unknown[]): void {
    for (const file of paths) {
      if (typeof file !== 'string') continue;
      // A chosen path that is itself a symlink was chosen for what it points to: both count.
      for (const form of [canonical(file), realPath(file)]) if (form !== null) this.granted[access].add(form);
    }
  }
}

/**
 * The path with its folder resolved through every symlink (the OS applies `..` after following a
 * link), the last name kept as given: a file that does not exist yet (a save) has no real path, and
 * a symlinked file in a chosen folder is read by the folder import anyway. Null when the folder
 * does not exist.
 */
function canonical(file: string): string | null {
  const name = path.basename(file);
  if (name === '' || name === '.' || name === '..') return realPath(file);
  const folder = realPath(path.dirname(file));
  return folder === null ? null : path.join(folder, name);
}

function realPath(file: string): string | null {
  try {
    return fs.realpathSync.native(file);
  } catch {
    return null;
  }
}
