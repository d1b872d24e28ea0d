import { parseArgs } from 'node:util';
import { listApiKeys } from '@/lib/auth/api-keys';
import { getDb } from '@/lib/db/client';
import { revokeApiKey } from '@/lib/write-door';
import { runScript } from './run-script';

// npm run apikey:revoke -- --id 12      (without --id: lists the keys)
const { values } = parseArgs({ options: { id: { type: 'string' } } });

await runScript(async () => {
  const db = await getDb();
  if (values.id === undefined) {
    for (const k of await listApiKeys(db)) {
      console.log(`#${k.id}\t${k.prefix}…\t${k.name}\t${k.scopes.join(',')}\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}`);
    }
    return;
  }
  if (!/^[0-9]{1,10}$/.test(values.id)) {
    console.error('--id must be the number shown by `npm run apikey:revoke` (without --id)');
    return 2;
  }
  // The revocation and the invalidation of the key's cached identity commit together (the outbox): running
  // instances hear of it on commit and refuse the key from then on, whether or not this script reaches Redis.
  const revoked = await revokeApiKey(Number(values.id));
  console.error(revoked ? `Revoked API key #${values.id}.` : `API key #${values.id} was already revoked (its cached identity was dropped again).`);
});
