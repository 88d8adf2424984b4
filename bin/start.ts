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
import {
  closeServer,
  codecEndpoint,
  connectClient,
  createLogger,
  createMailer,
  createWorker,
  ensureAdminToken,
  openDatabase,
  payloadCodec,
  serveApp,
} from './runtime';

/** Stops whatever has started, once main() has set it up; an error during start-up uses it too. */
let stopAll: ((code: number) => Promise<never>) | null = null;

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

  // Signals are handled from the first moment, so that a stop sent to this process alone (as a
  // process manager sends it, through npm) stops everything it started, the Temporal dev server too.
  // Each step that starts something registers how to stop it; shutdown runs them in reverse.
  const cleanups: { what: string; run: () => unknown }[] = [];
  const onStop = (what: string, run: () => unknown) => cleanups.push({ what, run });
  let stopping = false;
  const shutdown = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      log.info('shutting down');
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup.run();
        } catch (err) {
          log.warn({ err }, `could not stop ${cleanup.what} cleanly`);
        }
      }
      process.exit(code);
    }
    return new Promise<never>(() => undefined);
  };
  stopAll = shutdown;
  let started = false;
  let stopRequested = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) void shutdown(0);
    // a second signal during start-up stops at once; the dev server is killed as the process exits
    else if (stopRequested) process.exit(1);
    else {
      stopRequested = true;
      log.info(`${signal} during start-up: stopping once the current step is done`);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  fs.mkdirSync(config.dataDir, { recursive: true });
  // an earlier start whose parent was killed may still be running on this data directory
  const selfPidFile = path.join(config.dataDir, 'formwork.pid');
  if (await stopStaleProcess(selfPidFile, 'bin/start')) log.warn('stopped an earlier Formwork still running on this data directory');
  fs.writeFileSync(selfPidFile, String(process.pid));
  onStop('the pid file', () => fs.rmSync(selfPidFile, { force: true }));

  let devServer: DevServer | null = null;
  let address = config.temporal.address;
  if (!address) {
    let cli;
    try {
      cli = resolveTemporalCli({ provision: true, log: (line) => log.info(line) });
    } catch (err) {
      if (err instanceof TemporalToolMissingError) {
        console.error(err.message);
        return shutdown(3);
      }
      throw err;
    }
    const pidFile = path.join(config.dataDir, 'temporal.pid');
    if (await stopStaleProcess(pidFile, 'start-dev')) log.warn('stopped a Temporal dev server left over from an earlier run');
    if (stopRequested) return shutdown(0);
    const server = await startDevServer({
      cliPath: cli.path,
      dbFile: path.join(config.dataDir, 'temporal.db'),
      port: config.temporal.devPort,
      uiPort: config.temporal.uiPort,
      // the UI shows decrypted payloads to staff signed in to Formwork, through our codec endpoint
      uiCodecEndpoint: codecEndpoint(config),
      namespace: config.temporal.namespace,
      log: { info: (m) => log.info(m), warn: (m) => log.warn(m), debug: (m) => log.debug(m) },
    });
    devServer = server;
    fs.writeFileSync(pidFile, String(server.process.pid));
    onStop('the Temporal dev server', async () => {
      await server.stop();
      fs.rmSync(pidFile, { force: true });
    });
    server.process.once('exit', (code) => {
      if (stopping) return;
      // Ctrl-C in a terminal signals the dev server too; while a stop is pending its exit is expected
      if (stopRequested) return void shutdown(0);
      log.error({ code }, 'the Temporal dev server stopped unexpectedly');
      void shutdown(1);
    });
    address = server.address;
  }
  if (stopRequested) return shutdown(0);

  const { db, repos } = await openDatabase(config, log);
  onStop('the database', () => db.destroy());
  const admin = await ensureAdminToken(config, db, repos, { keepInDataDir: !config.adminToken });
  const mailer = createMailer(config);
  onStop('the mailer', () => mailer?.close());
  const codec = payloadCodec(config);
  const client = await connectClient(config, address, codec);
  onStop('the Temporal client', () => client.connection.close());
  if (stopRequested) return shutdown(0);
  const { worker, connection } = await createWorker(config, address, { db, repos, log, mailer, codec });
  onStop('the worker connection', () => connection.close());
  const running = worker.run();
  onStop('the worker', async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
  });
  running.catch((err) => {
    if (!stopping) {
      log.error({ err }, 'the worker stopped unexpectedly');
      void shutdown(1);
    }
  });
  const server = await serveApp(config, { db, repos, temporal: client, log, mailer, codec });
  onStop('the HTTP server', () => closeServer(server));
  started = true;
  if (stopRequested) return shutdown(0);

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
  if (stopAll) void stopAll(1);
  else process.exit(1);
});
