import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { RateLimits } from '../../server/route-edge';
import { injectedPostgresUrl, injectedTemporalAddress } from '../setup/temporal-env';
import type { WorkerOptions } from '@temporalio/worker';
import { apiClient, type ApiClient } from './api';
import { launchBrowser } from './browser';
import { watchLockOrder, type LockOrderWatch } from './lock-order';
import { freshPostgresDatabase, startInProcessStack, type InProcessStack } from './stack';

export interface StackEnv {
  stack: InProcessStack;
  api: ApiClient;
  /** a client with no credentials, as a member of the public or an action link's holder */
  anonymous: ApiClient;
  browser: Browser;
}

/**
 * Starts an in-process stack (the shared Temporal server; SQLite, or a fresh Postgres database
 * dropped afterwards) for a test file, and a chromium when asked, handing them to `assign` once
 * ready; stops them after the file's tests. Every statement is watched for the lock order that
 * deadlocks (`watchLockOrder`): the file fails if a transaction took the audit chain's head and
 * then wrote a record a network's readiness is built from.
 */
export function useStack(
  options: {
    browser?: boolean;
    database?: 'sqlite' | 'postgres';
    signinLimits?: { perEmail: number; perIp: number };
    rateLimit?: Partial<RateLimits>;
    env?: Record<string, string>;
    workerInterceptors?: WorkerOptions['interceptors'];
  },
  assign: (env: StackEnv) => void,
): void {
  let env: Partial<StackEnv> = {};
  let dropDb: (() => Promise<void>) | undefined;
  let lockOrder: LockOrderWatch | undefined;
  beforeAll(async () => {
    let database: 'sqlite' | { postgresUrl: string } = 'sqlite';
    if (options.database === 'postgres') {
      const fresh = await freshPostgresDatabase(injectedPostgresUrl());
      dropDb = fresh.drop;
      database = { postgresUrl: fresh.url };
    }
    const stack = await startInProcessStack({
      temporalAddress: injectedTemporalAddress(),
      database,
      signinLimits: options.signinLimits,
      rateLimit: options.rateLimit,
      env: options.env,
      workerInterceptors: options.workerInterceptors,
    });
    lockOrder = watchLockOrder(stack.db);
    env = {
      stack,
      api: apiClient(stack.baseUrl, stack.token),
      anonymous: apiClient(stack.baseUrl),
      browser: options.browser ? await launchBrowser() : undefined,
    };
    assign(env as StackEnv);
  });
  afterAll(async () => {
    const wrongOrder = lockOrder?.violations() ?? [];
    lockOrder?.stop();
    await env.browser?.close();
    await env.stack?.stop();
    await dropDb?.();
    if (wrongOrder.length > 0) {
      throw new Error(
        `transactions wrote a network's readiness records after taking the audit chain's head (test/support/lock-order.ts):\n${wrongOrder.join('\n')}`,
      );
    }
  });
}
