import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DYNAMIC_CONFIG } from '../../scripts/temporal-dev-server';

/**
 * docker-compose.yml and the Dockerfile cannot be run here (no container engine), so their safety
 * properties are read from the files: only Formwork's HTTP port is published, no Temporal UI or
 * frontend is reachable from outside, every password and secret must be supplied (no defaults), the
 * image runs the build as an unprivileged user, and Temporal gets the settings the dev server has.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const composeText = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  ports?: (string | { published?: string | number; target?: number })[];
  expose?: unknown[];
  network_mode?: string;
  configs?: { source: string; target: string }[];
  deploy?: { replicas?: string | number };
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; configs: Record<string, { content?: string; file?: string }> };
const services = compose.services;

/** Every `${NAME…}` reference in a value, with what follows the name (":?msg", ":-default", …). */
function references(value: string): { name: string; modifier: string }[] {
  return [...value.matchAll(/(?<!\$)\$\{([A-Z0-9_]+)([^}]*)\}/g)].map((m) => ({ name: m[1], modifier: m[2] }));
}

const SECRET_NAME = /PASSWORD|PWD|SECRET|TOKEN|API_KEY/i;

describe('docker-compose.yml', () => {
  it('publishes one port, Formwork’s HTTP entry point, and nothing of Temporal', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => ({ name, port: p })));
    expect(published).toHaveLength(1);
    expect(published[0].name).toBe('proxy');
    for (const s of Object.values(services)) expect(s.network_mode).not.toBe('host');
    // the reverse proxy forwards to the Formwork servers and nowhere else
    const nginx = compose.configs['nginx-conf'].content ?? '';
    const upstreams = [...nginx.matchAll(/https?:\/\/([a-z0-9-]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(upstreams).toEqual(['server:3000']);
  });

  it('runs no Temporal UI', () => {
    const ui = Object.entries(services).filter(([, s]) => /temporalio\/ui|temporal-ui/.test(s.image ?? ''));
    expect(ui).toEqual([]);
  });

  it('has no default passwords: every secret is a required variable', () => {
    const secrets: { where: string; value: string }[] = [];
    for (const [name, s] of Object.entries(services)) {
      for (const [key, raw] of Object.entries(s.environment ?? {})) {
        const value = String(raw ?? '');
        if (SECRET_NAME.test(key)) secrets.push({ where: `${name}.${key}`, value });
        // a password inside a connection URL
        const inUrl = /:\/\/[^:/@\s]+:(\$\{[^}]*\}|[^@\s]+)@/.exec(value);
        if (inUrl) secrets.push({ where: `${name}.${key} (URL password)`, value: inUrl[1] });
      }
    }
    expect(secrets.map((s) => s.where)).toEqual(
      expect.arrayContaining([
        'postgres.POSTGRES_PASSWORD',
        'temporal.POSTGRES_PWD',
        'server.FORMWORK_ADMIN_TOKEN',
        'server.FORM_SECRET',
        'worker.DATABASE_URL (URL password)',
      ]),
    );
    for (const { where, value } of secrets) {
      const refs = references(value);
      expect(refs, `${where} must be a single required variable, not ${JSON.stringify(value)}`).toHaveLength(1);
      expect(value, where).toBe(value.match(/^\$\{[A-Z0-9_]+:\?[^}]+\}$/)?.[0]);
      expect(SECRET_NAME.test(refs[0].name), `${where} reads ${refs[0].name}`).toBe(true);
    }
    // and nowhere in the file does a secret variable get a fallback value
    for (const ref of references(composeText)) {
      if (SECRET_NAME.test(ref.name)) expect(ref.modifier, `\${${ref.name}${ref.modifier}}`).toMatch(/^:\?/);
    }
  });

  it('gives Temporal at least the dynamic config the embedded dev server runs with', () => {
    const temporal = services.temporal;
    const mounted = temporal.configs?.find((c) => c.source === 'temporal-dynamic-config');
    expect(mounted?.target).toBe(temporal.environment?.DYNAMIC_CONFIG_FILE_PATH);
    const dynamic = parse(compose.configs['temporal-dynamic-config'].content ?? '') as Record<string, { value: unknown; constraints?: object }[]>;
    expect(Object.keys(DYNAMIC_CONFIG).length).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(DYNAMIC_CONFIG)) {
      expect(dynamic[key], key).toBeDefined();
      expect(String(dynamic[key][0].value), key).toBe(value);
    }
  });

  it('pins every image and runs Formwork from the build, several servers and workers', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, name).toBeDefined();
      expect(s.image, name).toMatch(/^[^:]+:[^:]+$/);
      expect(s.image, name).not.toMatch(/:latest$/);
    }
    for (const name of ['server', 'worker', 'migrate']) {
      const s = services[name];
      expect(s.build, name).toBe('.');
      expect(s.command, name).toEqual(['node', '--enable-source-maps', `dist/bin/${name}.js`]);
      expect(s.environment?.TEMPORAL_ADDRESS, name).toBe('temporal:7233');
      expect(String(s.environment?.DATABASE_URL), name).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    }
    for (const name of ['server', 'worker']) {
      const replicas = String(services[name].deploy?.replicas ?? '1');
      const fallback = /^\$\{[A-Z_]+:-(\d+)\}$/.exec(replicas)?.[1] ?? replicas;
      expect(Number(fallback), `${name} replicas`).toBeGreaterThanOrEqual(2);
      expect(services[name].depends_on?.migrate?.condition).toBe('service_completed_successfully');
    }
    // Temporal on Postgres, with its schema set up before it starts
    expect(services.temporal.environment?.DB).toBe('postgres12');
    expect(services.temporal.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
  });
});

describe('Dockerfile', () => {
  const lines = fs
    .readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: string[][] = [];
  for (const line of lines) {
    if (/^FROM\s/i.test(line)) stages.push([]);
    stages.at(-1)?.push(line);
  }

  it('builds in one stage and runs the build with production dependencies in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const [build, runtime] = [stages[0], stages.at(-1)!];
    expect(build.some((l) => /^RUN .*npm run build/.test(l))).toBe(true);
    expect(build.some((l) => /npm (prune|ci) .*--omit=dev/.test(l))).toBe(true);
    expect(runtime.some((l) => /^RUN .*npm (ci|install)\b/.test(l) && !/--omit=dev/.test(l))).toBe(false);
    expect(runtime.filter((l) => /^COPY --from=/.test(l)).map((l) => l.split(/\s+/)[2])).toEqual(expect.arrayContaining(['/app/node_modules', '/app/dist']));
    expect(runtime.some((l) => /tsx|typescript/.test(l))).toBe(false);
    expect(runtime.find((l) => /^CMD /.test(l))).toMatch(/"node".*"dist\/bin\/server\.js"/);
  });

  it('runs as an unprivileged user', () => {
    const runtime = stages.at(-1)!;
    const user = runtime.filter((l) => /^USER\s/.test(l)).at(-1);
    expect(user).toBeDefined();
    expect(user!.split(/\s+/)[1]).not.toMatch(/^(root|0)(:|$)/);
    // nothing runs after USER as root again
    expect(runtime.slice(runtime.indexOf(user!)).some((l) => /^USER\s+(root|0)\b/.test(l))).toBe(false);
  });
});
