import { sql } from 'kysely';
import { openTeamDb } from '../../main/core/team/db/connect';
import { parseTeamUrl } from '../../main/core/team/db/connection-url';
import type { PgCluster } from './pg-cluster';

// What tests do behind the app's back on their throwaway cluster, as its superuser: make empty
// databases for team vaults, or tamper with one.

export async function asSuperuser(cluster: PgCluster, database: string, statements: readonly string[]): Promise<void> {
  const { address, password } = parseTeamUrl(cluster.url({ database, query: 'sslmode=disable' }));
  const db = openTeamDb({ address, password: password ?? '' });
  try {
    for (const statement of statements) await sql.raw(statement).execute(db);
  } finally {
    await db.destroy();
  }
}

/** Empty databases (names of lowercase letters, digits and underscores). */
export async function createDatabases(cluster: PgCluster, names: readonly string[]): Promise<void> {
  for (const name of names) if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  await asSuperuser(cluster, 'postgres', names.map((name) => `CREATE DATABASE ${name}`));
}
