import type { VaultEngine } from '../main/core/db/vault-db';

// The engine the library benches measure: SQLite (a vault.db in a temp folder, the desktop case) or
// PostgreSQL (a team vault), chosen by `npm run bench -- --engine postgres` (bench/run.ts), which
// every bench process finds in CERTVAULT_BENCH_ENGINE. On PostgreSQL the server is a throwaway
// cluster on this machine (tests/support/pg-cluster.ts: loopback, fsync off), so its numbers
// include the server's CPU on the same two cores but no network.

export const ENGINE_ENV = 'CERTVAULT_BENCH_ENGINE';
const ENGINES: readonly VaultEngine[] = ['sqlite', 'postgres'];

export function benchEngine(): VaultEngine {
  const raw = process.env[ENGINE_ENV];
  if (raw === undefined || raw === '') return 'sqlite';
  if (!(ENGINES as readonly string[]).includes(raw)) throw new Error(`${ENGINE_ENV} must be one of ${ENGINES.join(', ')}, got "${raw}"`);
  return raw as VaultEngine;
}

/** A section title for this engine: SQLite keeps the plain title. */
export function engineTitle(title: string, engine: VaultEngine): string {
  return engine === 'sqlite' ? title : `${title}, PostgreSQL`;
}
