/**
 * `npm run build [-- --out-dir <dir>]`: the production build, into dist/ unless told otherwise.
 *
 * 1. Compiles the run-time code (tsconfig.build.json: bin, workflows, activities, domain, documents,
 *    templates, server, db, config.ts) to plain CommonJS with source maps; a type error fails it.
 * 2. Copies beside it every file the code reads at run time from its own folders: Handlebars
 *    templates and views, static files, the render-thread bootstrap (.cjs), the Temporal CLI resolver.
 *    Fonts and nhsuk-frontend assets are resolved from node_modules at run time.
 * 3. Bundles the workflows once (workflows/workflow-bundle.js), so a worker started from the build
 *    needs no TypeScript tooling.
 *
 * The result runs with production dependencies alone: `node dist/bin/server.js`, `dist/bin/worker.js`,
 * `dist/bin/start.js`, `dist/bin/migrate.js`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_FILE, WORKFLOW_BUNDLE_OPTIONS } from '../bin/workflow-code';

const ROOT = path.resolve(__dirname, '..');
const TSCONFIG = path.join(ROOT, 'tsconfig.build.json');
/** Folders whose run-time files are copied into the build (scripts/: the plain-JS Temporal CLI resolver). */
const ASSET_ROOTS = ['bin', 'codec', 'crypto', 'mail', 'workflows', 'activities', 'domain', 'documents', 'templates', 'server', 'db', 'scripts'];
/** Sources and docs stay behind; everything else in those folders is read at run time. */
const NOT_ASSETS = /(\.ts|\.mts|\.md)$/;
/** Written last; its presence marks a folder the build may empty and write again. */
const MARKER = 'build-info.json';
const ENTRY_POINTS = [
  'bin/start.js',
  'bin/server.js',
  'bin/worker.js',
  'bin/migrate.js',
  'bin/verify-evidence.js',
  'documents/render-worker.js',
  'documents/verify-worker.js',
  WORKFLOW_BUNDLE_FILE,
];

function fail(message: string): never {
  console.error(`build: ${message}`);
  process.exit(1);
}

function parseOutDir(argv: string[]): string {
  const i = argv.indexOf('--out-dir');
  if (i === -1) return path.join(ROOT, 'dist');
  const value = argv[i + 1];
  if (!value) fail('--out-dir needs a directory');
  return path.resolve(value);
}

/** Empties the output folder, refusing to touch one that holds anything but an earlier build. */
function prepareOutDir(outDir: string) {
  if (
    outDir === ROOT ||
    ROOT.startsWith(outDir + path.sep) ||
    ASSET_ROOTS.some((r) => outDir === path.join(ROOT, r) || outDir.startsWith(path.join(ROOT, r) + path.sep))
  ) {
    fail(`refusing to build into ${outDir}: it holds sources`);
  }
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0 && !fs.existsSync(path.join(outDir, MARKER))) {
    fail(`refusing to empty ${outDir}: it is not an earlier build (no ${MARKER})`);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
}

function compile(outDir: string): Promise<void> {
  const tsc = require.resolve('typescript/bin/tsc');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', TSCONFIG, '--outDir', outDir], { cwd: ROOT, stdio: 'inherit' });
    child.once('error', (err) => fail(`could not run tsc: ${err.message}`));
    child.once('exit', (code, signal) => (code === 0 ? resolve() : fail(`tsc -p tsconfig.build.json failed (${code ?? signal})`)));
  });
}

function copyAssets(outDir: string): number {
  let copied = 0;
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && !NOT_ASSETS.test(entry.name)) {
        fs.mkdirSync(path.join(outDir, rel), { recursive: true });
        fs.copyFileSync(path.join(ROOT, child), path.join(outDir, child));
        copied++;
      }
    }
  };
  for (const root of ASSET_ROOTS) if (fs.existsSync(path.join(ROOT, root))) walk(root);
  return copied;
}

async function bundleWorkflows(outDir: string): Promise<number> {
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: {
      log: quiet,
      trace: quiet,
      debug: quiet,
      info: quiet,
      warn: (m: string) => console.warn(`build: ${m}`),
      error: (m: string) => console.error(`build: ${m}`),
    },
  });
  const file = path.join(outDir, WORKFLOW_BUNDLE_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, code);
  return code.length;
}

async function main() {
  const started = Date.now();
  const outDir = parseOutDir(process.argv.slice(2));
  prepareOutDir(outDir);
  // the compiler runs in its own process while this one bundles the workflows
  const [, bundleBytes] = await Promise.all([compile(outDir), bundleWorkflows(outDir)]);
  const assets = copyAssets(outDir);
  const missing = ENTRY_POINTS.filter((f) => !fs.existsSync(path.join(outDir, f)));
  if (missing.length) fail(`the build lacks ${missing.join(', ')}`);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  fs.writeFileSync(path.join(outDir, MARKER), JSON.stringify({ version: pkg.version, builtAt: new Date().toISOString() }, null, 2) + '\n');
  const where = path.relative(process.cwd(), outDir) || '.';
  console.log(
    `build: ${where} (${assets} files copied, workflow bundle ${Math.round(bundleBytes / 1024)} KiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

main().catch((err) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)));
