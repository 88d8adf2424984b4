/** `npm run migrate [-- down]`: runs every migration up (default) or all of them down. */
import { loadConfig } from '../config';
import { createDb, migrateLatest, migrateRollbackAll } from '../db/knex';

async function main() {
  const config = loadConfig();
  const db = createDb(config.database);
  try {
    if (process.argv.includes('down')) await migrateRollbackAll(db);
    else await migrateLatest(db);
    process.stdout.write(`migrations ${process.argv.includes('down') ? 'rolled back' : 'applied'}\n`);
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
