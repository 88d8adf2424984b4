/** A worker alone, for scale-out: needs TEMPORAL_ADDRESS and (usually) DATABASE_URL. */
import { ConfigError, loadConfig } from '../config';
import { createLogger, createMailer, createWorker, openDatabase, payloadCodec } from './runtime';

async function main() {
  const config = loadConfig();
  if (!config.temporal.address)
    throw new ConfigError('Invalid configuration:\n  TEMPORAL_ADDRESS: required for bin/worker (npm start embeds Temporal instead)');
  const log = createLogger(config);
  const { db, repos } = await openDatabase(config, log);
  const mailer = createMailer(config);
  const { worker, connection } = await createWorker(config, config.temporal.address, { db, repos, log, mailer, codec: payloadCodec(config) });
  log.info({ taskQueue: config.temporal.taskQueue }, 'Formwork worker running');
  const stop = () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await worker.run();
  await connection.close();
  mailer?.close();
  await db.destroy();
  // idle render threads would keep the process alive; everything that needed closing is closed
  process.exit(0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
