import { parseArgs } from 'node:util';
import { createUser } from '@/lib/write-door';
import { runScript } from './run-script';

// npm run user:create -- --email a@b.c --name "Dr Rahimi" --role clinician   (password on stdin)
// npm run user:create -- --email a@b.c --name … --role admin --password …    (visible in shell history: avoid)
const { values } = parseArgs({
  options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' } },
});

if (!values.email || !values.name || !values.role) {
  console.error('usage: npm run user:create -- --email <email> --name <name> --role admin|clinician [--password <pw>]  (else read from stdin)');
  process.exit(2);
}

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (input is visible; pipe it in to avoid that): ');
  let data = '';
  for await (const chunk of process.stdin) {
    data += chunk;
    // Interactive use: stop at the first line instead of waiting for EOF.
    if (process.stdin.isTTY && data.includes('\n')) break;
  }
  return data.split(/\r?\n/)[0] ?? '';
}

await runScript(async () => {
  const password = values.password ?? (await readPassword());
  const user = await createUser({ email: values.email!, name: values.name!, role: values.role as 'admin' | 'clinician', password });
  console.log(`Created ${user.role} #${user.id} ${user.email}`);
});
