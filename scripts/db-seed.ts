import { parseArgs } from 'node:util';
import { getConfig } from '@/lib/config';
import { createDb } from '@/lib/db/create-db';
import { migrateDb } from '@/lib/db/migrate';
import { ensureDemoUsers } from '@/lib/auth/demo-users';
import { DEFAULT_PATIENTS, DEFAULT_SEED, seedDatabase } from '@/drizzle/seed/seed-database';

// npm run db:seed -- [--patients 2000] [--seed 42] [--reset] [--now 2025-01-01T00:00:00Z]
const { values } = parseArgs({
  options: {
    patients: { type: 'string', default: String(DEFAULT_PATIENTS) },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    reset: { type: 'boolean', default: false },
    now: { type: 'string' },
  },
});

function int(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number ≥ 0, got "${v}"`);
    process.exit(2);
  }
  return n;
}

const now = values.now ? new Date(values.now) : undefined;
if (now && Number.isNaN(now.getTime())) {
  console.error(`--now must be an ISO date, got "${values.now}"`);
  process.exit(2);
}

const config = getConfig();
const handle = await createDb(config.DATABASE_URL ? { url: config.DATABASE_URL } : { pglite: config.PGLITE_DIR });
try {
  await migrateDb(handle);
  console.log(`seeding ${handle.kind}${handle.kind === 'pglite' ? ` (${config.PGLITE_DIR})` : ''} …`);
  const result = await seedDatabase(handle, {
    patients: int('patients', values.patients),
    seed: int('seed', values.seed),
    reset: values.reset,
    now,
    log: (m) => console.log(m),
  });
  if (result.skipped) {
    console.log(`seed skipped: ${result.reason}`);
  } else {
    console.log(
      `seeded ${result.patients} patients, ${result.healthRecords} health records, ${result.diagnoses} diagnoses, ` +
        `${result.feedback} feedback, ${result.recommendations} recommendations in ${(result.ms / 1000).toFixed(1)} s`,
    );
  }
  // Demo sign-ins (README) exist only outside production.
  const { created } = await ensureDemoUsers(handle.db, config.NODE_ENV);
  if (created.length > 0) console.log(`demo users created: ${created.join(', ')}`);
} finally {
  await handle.close();
}
