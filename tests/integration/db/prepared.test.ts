import { expect, it } from 'vitest';
import { prepared } from '../../../main/core/db/prepared';
import { forEachEngine } from '../../support/engines';

// A statement compiled once (main/core/db/prepared.ts) runs each call with that call's values, in
// the places its placeholders took, beside the constants the builder wrote itself; on each engine.

const PUT = prepared((db, row: { key: string; value: string }) =>
  db
    .insertInto('vault_meta')
    .values(row)
    .onConflict((c) => c.column('key').doUpdateSet({ value: row.value })),
);
const GET = prepared((db, p: { key: string }) => db.selectFrom('vault_meta').select(['key', 'value']).where('key', '=', p.key).where('key', '!=', 'vault_id'));

forEachEngine('prepared statements', (open) => {
  it('fills each call its own values, the same value in every place it is used', async () => {
    const vault = await open();
    await PUT(vault.db, vault.engine, { key: 'a', value: 'first' });
    await PUT(vault.db, vault.engine, { key: 'b', value: 'second' });
    await PUT(vault.db, vault.engine, { key: 'a', value: 'again' });
    expect((await GET(vault.db, vault.engine, { key: 'a' })).rows).toEqual([{ key: 'a', value: 'again' }]);
    expect((await GET(vault.db, vault.engine, { key: 'b' })).rows).toEqual([{ key: 'b', value: 'second' }]);
    // The builder's own constant stays: vault_id is never read through it.
    expect((await GET(vault.db, vault.engine, { key: 'vault_id' })).rows).toEqual([]);
  });

  it('runs inside a transaction, rolled back with it', async () => {
    const vault = await open();
    await expect(
      vault.db.transaction().execute(async (trx) => {
        await PUT(trx, vault.engine, { key: 'gone', value: 'x' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await GET(vault.db, vault.engine, { key: 'gone' })).rows).toEqual([]);
  });
});
