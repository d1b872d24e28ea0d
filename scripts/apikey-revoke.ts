import { parseArgs } from 'node:util';
import { listApiKeys, revokeApiKey } from '@/lib/auth/api-keys';
import { getCache } from '@/lib/cache';
import { getConfig } from '@/lib/config';
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
    // Revocation also drops the key's cached identity in Redis, so running instances refuse it at once. If
    // this process cannot reach that Redis it could only revoke in the database while instances keep
    // accepting the key from their caches: refuse instead of printing a success that is not one.
    if (!getConfig().REDIS_URL) throw new Error('REDIS_URL is not set: this command must reach the Redis the app instances use, so they stop accepting the key at once. Nothing was revoked.');
    await getCache()
      .ready()
      .catch(() => {
        throw new Error('Redis does not answer: nothing was revoked (running instances could not be told). Run this again once Redis is back.');
      });
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
