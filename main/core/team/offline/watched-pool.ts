import type pg from 'pg';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import { VaultError } from '../../../../shared/errors';
import { toTeamDbError } from '../db/connect';
import { hostPort, type TeamDbAddress } from '../db/connection-url';

// A team vault's pool, as Kysely sees it, that notices when the server goes out of reach: a
// connection that cannot be opened, or one cut while a query was on it (server restarted or
// stopped, network gone). It tells `onFault`, which decides whether the vault is offline, and
// turns the error into one the user can act on. Nothing is retried here: a statement cut
// mid-flight may have been a COMMIT that reached the server, so sending it again could apply a
// change twice; the caller is told, and told to look before repeating.

/** Whether `error` means the server could not be reached or the connection broke (not a refusal by the server). */
export function isConnectionFault(address: TeamDbAddress, error: unknown): boolean {
  // pg's word for a client whose connection already broke, on the next query sent on it.
  if (error instanceof Error && /not queryable/.test(error.message)) return true;
  return toTeamDbError(address, error).code === 'team.unreachable';
}

export function watchedPool(pool: pg.Pool, address: TeamDbAddress, onFault: (error: unknown) => void): PostgresPool {
  // Kysely keeps per-client state keyed by the client object: one wrapper per pg client.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  // pg listens for errors only on idle clients. One checked out, between two queries of a
  // transaction, whose server goes away emits 'error' with nobody listening, which would end the
  // process; while checked out, it is this pool's to hear.
  const onCheckedOutError = (error: Error) => onFault(error);
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    client.on('error', onCheckedOutError);
    let wrapper = wrappers.get(client);
    if (!wrapper) {
      wrapper = {
        query: (<R>(text: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>> =>
          (client.query(text, parameters as unknown[]) as unknown as Promise<PostgresQueryResult<R>>).catch((error: unknown) => {
            if (!isConnectionFault(address, error)) throw error;
            onFault(error);
            throw new VaultError('team.connection_lost', { address: hostPort(address) });
          })) as PostgresPoolClient['query'],
        release: (destroy?: boolean) => {
          client.off('error', onCheckedOutError);
          client.release(destroy);
        },
        get processID() {
          return (client as unknown as { processID?: number }).processID;
        },
      } as PostgresPoolClient;
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return {
    connect: async () => {
      try {
        return wrap(await pool.connect());
      } catch (error) {
        if (isConnectionFault(address, error)) onFault(error);
        throw toTeamDbError(address, error);
      }
    },
    end: () => pool.end(),
    options: pool.options,
  };
}
