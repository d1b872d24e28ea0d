import { parseArgs } from 'node:util';
import { disableUser } from '@/lib/write-door';
import { runScript } from './run-script';

// npm run user:disable -- --email a@b.c   (the user can no longer sign in; open sessions end at once)
const { values } = parseArgs({ options: { email: { type: 'string' } } });

if (!values.email) {
  console.error('usage: npm run user:disable -- --email <email>');
  process.exit(2);
}

await runScript(async () => {
  // The sessions end and their cached identities are dropped in one write (the outbox): every running instance
  // refuses them from now on, whether or not this script reaches Redis.
  const found = await disableUser(values.email!);
  console.error(found ? `Disabled ${values.email}; their sessions are ended.` : `No user ${values.email}.`);
  return found ? 0 : 1;
});
