import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { RateLimits } from '../../server/route-edge';
import { injectedTemporalAddress } from '../setup/temporal-env';
import { apiClient, type ApiClient } from './api';
import { launchBrowser } from './browser';
import { startInProcessStack, type InProcessStack } from './stack';

export interface StackEnv {
  stack: InProcessStack;
  api: ApiClient;
  browser: Browser;
}

/**
 * Starts an in-process stack (SQLite, the shared Temporal server) for a test file, and a chromium
 * when asked, handing them to `assign` once ready; stops them after the file's tests.
 */
export function useStack(options: { browser?: boolean; signinLimits?: { perEmail: number; perIp: number }; rateLimit?: Partial<RateLimits>; env?: Record<string, string> }, assign: (env: StackEnv) => void): void {
  let env: Partial<StackEnv> = {};
  beforeAll(async () => {
    const stack = await startInProcessStack({ temporalAddress: injectedTemporalAddress(), database: 'sqlite', signinLimits: options.signinLimits, rateLimit: options.rateLimit, env: options.env });
    env = { stack, api: apiClient(stack.baseUrl, stack.token), browser: options.browser ? await launchBrowser() : undefined };
    assign(env as StackEnv);
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.stack?.stop();
  });
}
