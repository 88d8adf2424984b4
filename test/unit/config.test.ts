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
  it('requires the TLS key with the certificate', () => {
    expect(() => loadConfig({ TEMPORAL_TLS_CERT_PATH: '/x.pem' })).toThrow(/TEMPORAL_TLS_KEY_PATH/);
  });
});
