import { parseArgs } from 'node:util';
import { getCache } from '@/lib/cache';
import { closeDb } from '@/lib/db/client';
import { disableUser } from '@/lib/write-door';

// npm run user:disable -- --email a@b.c   (the user can no longer sign in; open sessions end at once)
const { values } = parseArgs({ options: { email: { type: 'string' } } });

if (!values.email) {
  console.error('usage: npm run user:disable -- --email <email>');
  process.exit(2);
}

try {
  // The sessions end and their cached identities are dropped in one write (the outbox): every running instance
  // refuses them from now on, whether or not this script reaches Redis.
  const found = await disableUser(values.email);
  console.error(found ? `Disabled ${values.email}; their sessions are ended.` : `No user ${values.email}.`);
  if (!found) process.exitCode = 1;
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await closeDb();
  await getCache().close();
}
