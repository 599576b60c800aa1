import type Database from 'better-sqlite3';

/**
 * Prepared statements, prepared once per SQL text. A statement holds native memory the garbage
 * collector cannot see, so preparing one per call in a 10,000-entry import grows the process by
 * hundreds of megabytes (bench/library-import.ts) besides costing the compile each time.
 */
export class StatementCache {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  get(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
