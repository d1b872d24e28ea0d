import { parseArgs } from 'node:util';
import { listApiKeys, revokeApiKey } from '@/lib/auth/api-keys';
import { getCache } from '@/lib/cache';
import { closeDb, getDb } from '@/lib/db/client';

// npm run apikey:revoke -- --id 12      (without --id: lists the keys)
const { values } = parseArgs({ options: { id: { type: 'string' } } });

try {
  const db = await getDb();
  if (values.id === undefined) {
    for (const k of await listApiKeys(db)) {
      console.log(`#${k.id}\t${k.prefix}…\t${k.name}\t${k.scopes.join(',')}\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}`);
    }
  } else if (!/^[0-9]{1,10}$/.test(values.id)) {
    console.error('--id must be the number shown by `npm run apikey:revoke` (without --id)');
    process.exitCode = 2;
  } else {
    // Revocation also drops the key's cached identity in Redis, so running instances refuse it at once:
    // that needs the connection up first (the cache never waits for one on its own).
    await getCache()
      .ready()
      .catch(() => console.error('Redis does not answer: the key will be revoked in the database, but running instances may accept it until its cached identity expires. Run this again once Redis is back.'));
    const revoked = await revokeApiKey(db, Number(values.id));
    console.error(revoked ? `Revoked API key #${values.id}.` : `API key #${values.id} was already revoked (its cached identity was dropped again).`);
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await closeDb();
  await getCache().close();
}
