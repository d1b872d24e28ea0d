import { getConfig } from '@/lib/config';
import { createDb } from '@/lib/db/create-db';
import { migrateDb, migrationsFolder } from '@/lib/db/migrate';

const config = getConfig();
const handle = await createDb(config.DATABASE_URL ? { url: config.DATABASE_URL } : { pglite: config.PGLITE_DIR });
try {
  const started = performance.now();
  await migrateDb(handle);
  console.log(`migrated ${handle.kind} from ${migrationsFolder()} in ${Math.round(performance.now() - started)} ms`);
} finally {
  await handle.close();
}
