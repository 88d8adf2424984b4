import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';

describe('config', () => {
  it('defaults to the embedded stack', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.database).toEqual({ client: 'sqlite', filename: path.resolve('data/formwork.db') });
    expect(c.temporal.address).toBeUndefined();
    expect(c.publicUrl).toBe('http://localhost:3000');
  });
  it('switches to Postgres and an existing cluster', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@h/db', TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(c.database).toEqual({ client: 'pg', url: 'postgres://u@h/db' });
    expect(c.temporal.address).toBe('temporal:7233');
  });
  it('names every bad variable', () => {
    try {
      loadConfig({ PORT: 'eighty', TEMPORAL_ADDRESS: 'nohost', FORMWORK_ADMIN_TOKEN: 'short' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('TEMPORAL_ADDRESS');
      expect(message).toContain('FORMWORK_ADMIN_TOKEN');
    }
  });
  it('bounds what one worker takes on at once, and never admits more workflow tasks than it caches', () => {
    expect(loadConfig({}).worker).toEqual({ maxConcurrentWorkflowTaskExecutions: 10, maxConcurrentActivityTaskExecutions: 20, maxCachedWorkflows: 1000 });
    const tuned = loadConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '40', WORKER_MAX_CONCURRENT_ACTIVITIES: '50', WORKER_MAX_CACHED_WORKFLOWS: '20' });
    // the SDK would refuse 40 concurrent tasks over a cache of 20: the cache bounds them
    expect(tuned.worker).toEqual({ maxConcurrentWorkflowTaskExecutions: 20, maxConcurrentActivityTaskExecutions: 50, maxCachedWorkflows: 20 });
    expect(() => loadConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' })).toThrow(/WORKER_MAX_CONCURRENT_WORKFLOW_TASKS/);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
  });
  it('requires the TLS key with the certificate', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_PATH: '/x.pem' })).toThrow(/TEMPORAL_TLS_KEY_PATH/);
  });
  it('keeps evidence checkpoints in DATA_DIR unless told, and reads codec keys and UI origins', () => {
    const c = loadConfig({ DATA_DIR: '/srv/fw' });
    expect(c.evidence).toEqual({ key: undefined, checkpointDir: '/srv/fw/audit-checkpoints' });
    expect(c.codec.keys).toBeUndefined();
    expect(c.codec.corsOrigins).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
    const key = 'ab'.repeat(32);
    const d = loadConfig({
      TEMPORAL_ADDRESS: 'temporal:7233',
      EVIDENCE_KEY: 'e'.repeat(40),
      EVIDENCE_CHECKPOINT_DIR: '/anchor',
      TEMPORAL_CODEC_KEYS: `new:${key},old:${key}`,
      TEMPORAL_CODEC_CORS_ORIGINS: 'https://temporal.example.org',
    });
    expect(d.evidence).toEqual({ key: 'e'.repeat(40), checkpointDir: '/anchor' });
    expect(d.codec.keys?.map((k) => k.id)).toEqual(['new', 'old']);
    expect(d.codec.corsOrigins).toEqual(['https://temporal.example.org']);
    // an external cluster's UI origin is not guessed
    expect(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }).codec.corsOrigins).toEqual([]);
  });
  it('names bad evidence and codec variables without echoing keys', () => {
    try {
      loadConfig({ EVIDENCE_KEY: 'short', TEMPORAL_CODEC_KEYS: 'k:tooshortsecret', TEMPORAL_CODEC_CORS_ORIGINS: 'http://ui.example.org/path' });
      expect.unreachable();
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toContain('EVIDENCE_KEY');
      expect(message).toContain('TEMPORAL_CODEC_KEYS');
      expect(message).toContain('TEMPORAL_CODEC_CORS_ORIGINS');
      expect(message).not.toContain('tooshortsecret');
    }
  });
  it('believes X-Forwarded-For from loopback only, unless told which proxies to trust', () => {
    expect(loadConfig({}).trustProxy).toEqual(['loopback']);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8, 192.0.2.7' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.7']);
    // every proxy believed would let any client name its own address in the evidence
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: true would believe any client/);
    expect(() => loadConfig({ TRUST_PROXY: 'nginx, 10.0.0.0/33' })).toThrow(/not: nginx, 10\.0\.0\.0\/33/);
  });
  it('scales the rate limits for a fuzzing run, and only upwards', () => {
    expect(loadConfig({}).rateLimitScale).toBe(1);
    expect(loadConfig({ RATE_LIMIT_SCALE: '100' }).rateLimitScale).toBe(100);
    expect(() => loadConfig({ RATE_LIMIT_SCALE: '0' })).toThrow(/RATE_LIMIT_SCALE/);
  });
});
