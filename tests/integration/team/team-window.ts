import type { EventName, Events } from '../../../shared/ipc';
import type { HandlerContext } from '../../../main/core/ipc/context';
import { dispatch } from '../../../main/core/ipc/dispatch';
import { VaultSwitcher } from '../../../main/core/team/vault-switch';
import { MemorySecretStore } from '../../unit/vault/helpers/memory-secret-store';
import { testHandlerContext } from '../../unit/electron/handler-context';
import { createDatabases } from '../../support/pg-superuser';
import type { PgCluster } from '../../support/pg-cluster';

// A window's context (VaultSwitcher, as main/electron/app.ts builds it) with its own data folder,
// keychain and event sink, on a team vault `ops` just created in `database` and in use: what the
// team tests that go through the handlers (offline, restart mid-import) start from.

export interface TeamWindow {
  readonly switcher: VaultSwitcher;
  readonly seen: { event: EventName; payload: unknown }[];
  statusEvents(): Events['team.status'][];
}

/** `overrides`: what the test's window brings on top (dialogs that confirm, a clock). */
export async function openTeamWindow(cluster: PgCluster, database: string, dataDir: string, overrides: Partial<HandlerContext> = {}): Promise<TeamWindow> {
  await createDatabases(cluster, [database]);
  const seen: { event: EventName; payload: unknown }[] = [];
  const keychain = new MemorySecretStore();
  const base = testHandlerContext({
    dataDir,
    secrets: () => keychain,
    now: () => new Date(),
    events: { emit: <E extends EventName>(event: E, payload: Events[E]) => void seen.push({ event, payload }) },
    ...overrides,
  });
  const switcher = await VaultSwitcher.start(base);
  const created = await dispatch(switcher.current, 'team.create', { url: `postgres://postgres@127.0.0.1:${cluster.port}/${database}`, name: 'ops', memberName: 'Ann', password: cluster.password, sslmode: 'disable' });
  if (!created.ok) throw new Error(`team.create failed: ${JSON.stringify(created.error)}`);
  const used = await dispatch(switcher.current, 'team.use', { name: 'ops' });
  if (!used.ok) throw new Error(`team.use failed: ${JSON.stringify(used.error)}`);
  const statusEvents = () => seen.filter((item) => item.event === 'team.status').map((item) => item.payload as Events['team.status']);
  return { switcher, seen, statusEvents };
}
