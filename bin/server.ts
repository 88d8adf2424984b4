/** The HTTP server alone, for scale-out: needs TEMPORAL_ADDRESS and (usually) DATABASE_URL. */
import { ConfigError, loadConfig } from '../config';
import { closeServer, connectClient, createLogger, createMailer, ensureAdminToken, openDatabase, payloadCodec, serveApp } from './runtime';

async function main() {
  const config = loadConfig();
  if (!config.temporal.address)
    throw new ConfigError('Invalid configuration:\n  TEMPORAL_ADDRESS: required for bin/server (npm start embeds Temporal instead)');
  const log = createLogger(config);
  const { db, repos } = await openDatabase(config, log);
  const admin = await ensureAdminToken(config, db, repos, { keepInDataDir: false });
  if (admin.created && !config.adminToken) process.stdout.write(`Facilitator API token (shown once): ${admin.token}\n`);
  const codec = payloadCodec(config);
  const client = await connectClient(config, config.temporal.address, codec);
  const server = await serveApp(config, { db, repos, temporal: client, log, mailer: createMailer(config), codec });
  log.info({ url: config.publicUrl }, 'Formwork server listening');
  const stop = async () => {
    await closeServer(server);
    await client.connection.close();
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
