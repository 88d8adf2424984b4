import type { Client } from '@temporalio/client';
import { AppError, fromTemporal } from '../errors';

/** Temporal calls made while a person waits get a deadline, so a request never hangs. */
export const INTERACTIVE_DEADLINE_MS = 25_000;

export function withDeadline<T>(client: Client, fn: () => Promise<T>, ms = INTERACTIVE_DEADLINE_MS): Promise<T> {
  return client.connection.withDeadline(Date.now() + ms, fn);
}

/**
 * A call to a workflow (start, update, signal) made while a person waits: it has a deadline, and a
 * workflow's business rejection comes back as the AppError its failure type names. `finished`, when
 * given, is what to say when the workflow no longer takes updates (a vote closed, an election
 * counted, or its history past retention): the caller has already found the record it serves.
 */
export async function callWorkflow<T>(client: Client, fn: () => Promise<T>, finished?: () => AppError): Promise<T> {
  try {
    return await withDeadline(client, fn);
  } catch (err) {
    const mapped = fromTemporal(err);
    if (finished && (mapped?.code === 'ROUND_CLOSED' || mapped?.code === 'NOT_FOUND')) throw finished();
    throw mapped ?? err;
  }
}

/**
 * Starts a workflow while a person waits (as callWorkflow), saying with `running` what a workflow
 * already started under the same id means to them (a formation begun, a letter being sent).
 */
export async function startWorkflow<T>(client: Client, fn: () => Promise<T>, running: () => AppError): Promise<T> {
  try {
    return await callWorkflow(client, fn);
  } catch (err) {
    if (err instanceof AppError && err.code === 'ALREADY_STARTED') throw running();
    throw err;
  }
}
