/**
 * `npm start`: the embedded default. Starts (or reuses, with TEMPORAL_ADDRESS) Temporal, migrates
 * the database, runs the worker and the HTTP server in one process tree, and prints where to go.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { resolveTemporalCli, TemporalToolMissingError } from '../scripts/provision-temporal';
import { startDevServer, type DevServer } from '../scripts/temporal-dev-server';
import { stopStaleProcess } from './stale-process';
import { closeServer, codecEndpoint, connectClient, createApp, createLogger, createMailer, createWorker, ensureAdminToken, formSecret, listen, openDatabase, payloadCodec } from './runtime';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config);
  fs.mkdirSync(config.dataDir, { recursive: true });
  // an earlier start whose parent was killed may still be running on this data directory
  const selfPidFile = path.join(config.dataDir, 'formwork.pid');
  if (await stopStaleProcess(selfPidFile, 'bin/start')) log.warn('stopped an earlier Formwork still running on this data directory');
  fs.writeFileSync(selfPidFile, String(process.pid));

  let devServer: DevServer | null = null;
  let address = config.temporal.address;
  const pidFile = path.join(config.dataDir, 'temporal.pid');
  if (!address) {
    let cli;
    try {
      cli = resolveTemporalCli({ provision: true, log: (line) => log.info(line) });
    } catch (err) {
      if (err instanceof TemporalToolMissingError) {
        console.error(err.message);
        process.exit(3);
      }
      throw err;
    }
    if (await stopStaleProcess(pidFile, 'start-dev')) log.warn('stopped a Temporal dev server left over from an earlier run');
    devServer = await startDevServer({
      cliPath: cli.path,
      dbFile: path.join(config.dataDir, 'temporal.db'),
      port: config.temporal.devPort,
      uiPort: config.temporal.uiPort,
      // the UI shows decrypted payloads to staff signed in to Formwork, through our codec endpoint
      uiCodecEndpoint: codecEndpoint(config),
      namespace: config.temporal.namespace,
      log: { info: (m) => log.info(m), warn: (m) => log.warn(m), debug: (m) => log.debug(m) },
    });
    fs.writeFileSync(pidFile, String(devServer.process.pid));
    address = devServer.address;
  }

  const { db, repos } = await openDatabase(config, log);
  const admin = await ensureAdminToken(config, db, repos, { keepInDataDir: !config.adminToken });
  const mailer = createMailer(config);
  const codec = payloadCodec(config);
  const client = await connectClient(config, address, codec);
  const { worker, connection } = await createWorker(config, address, { db, repos, log, mailer, codec });
  const app = createApp({
    db, repos, temporal: client, taskQueue: config.temporal.taskQueue, log, mailer, publicUrl: config.publicUrl, formSecret: formSecret(config), secureCookies: config.publicUrl.startsWith('https:'),
    payloadCodec: codec, codecCorsOrigins: config.codec.corsOrigins,
  });
  const server = await listen(app, config.port, config.host);
  const running = worker.run();

  const lines = [
    '',
    'Formwork is running.',
    `  App:          ${config.publicUrl}`,
    `  API:          ${config.publicUrl}/api/v1 (OpenAPI: ${config.publicUrl}/api/v1/openapi.json)`,
    `  Temporal UI:  ${devServer?.uiUrl ? uiUrlForBrowser(devServer.uiUrl, config.publicUrl) : '(external cluster at ' + address + ')'}`,
    `  Database:     ${config.database.client === 'sqlite' ? config.database.filename : 'PostgreSQL'}`,
    admin.token
      ? `  Facilitator API token: ${admin.token}${admin.created ? ' (new)' : ''}`
      : '  Facilitator API token: created on first start (set FORMWORK_ADMIN_TOKEN to choose one)',
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down');
    await closeServer(server);
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
    await connection.close().catch(() => undefined);
    await client.connection.close().catch(() => undefined);
    mailer?.close();
    await db.destroy();
    if (devServer) {
      await devServer.stop();
      fs.rmSync(pidFile, { force: true });
    }
    fs.rmSync(selfPidFile, { force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  devServer?.process.once('exit', (code) => {
    if (!stopping) {
      log.error({ code }, 'the Temporal dev server stopped unexpectedly');
      void shutdown(1);
    }
  });
  running.catch((err) => {
    if (!stopping) {
      log.error({ err }, 'the worker stopped unexpectedly');
      void shutdown(1);
    }
  });
}

/**
 * The UI on the same host name as the app, so a browser treats them as one site and sends the
 * staff sign-in cookie (SameSite=Strict) to the codec endpoint: 127.0.0.1 and localhost are two sites.
 */
function uiUrlForBrowser(uiUrl: string, publicUrl: string): string {
  const url = new URL(uiUrl);
  if (new URL(publicUrl).hostname === 'localhost' && url.hostname === '127.0.0.1') url.hostname = 'localhost';
  return url.toString().replace(/\/$/, '');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
