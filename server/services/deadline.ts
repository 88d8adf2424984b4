import type { Client } from '@temporalio/client';

/** Temporal calls made while a person waits get a deadline, so a request never hangs. */
export const INTERACTIVE_DEADLINE_MS = 25_000;

export function withDeadline<T>(client: Client, fn: () => Promise<T>, ms = INTERACTIVE_DEADLINE_MS): Promise<T> {
  return client.connection.withDeadline(Date.now() + ms, fn);
}
