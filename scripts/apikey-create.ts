import { parseArgs } from 'node:util';
import { createApiKey } from '@/lib/auth/api-keys';
import { getDb } from '@/lib/db/client';
import { runScript } from './run-script';

// npm run apikey:create -- --name "iOS app" --scopes read,write
const { values } = parseArgs({ options: { name: { type: 'string' }, scopes: { type: 'string', default: 'read' } } });

if (!values.name) {
  console.error('usage: npm run apikey:create -- --name <name> [--scopes read,write]');
  process.exit(2);
}

await runScript(async () => {
  const { key, info } = await createApiKey(await getDb(), {
    name: values.name!,
    scopes: values.scopes.split(',').map((s) => s.trim()).filter(Boolean),
  });
  console.error(`Created API key #${info.id} "${info.name}" (prefix ${info.prefix}, scopes ${info.scopes.join(',')}).`);
  console.error('Store it now: it is shown only this once and cannot be recovered.');
  // The key alone on stdout, so `KEY=$(npm run -s apikey:create -- …)` works.
  console.log(key);
});
