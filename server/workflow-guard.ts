import type { WorkflowClientInterceptor } from '@temporalio/client';
import { assertOutsideRetriedTransaction } from '../db/knex';

type Guarded = 'startWithDetails' | 'startUpdate' | 'startUpdateWithStart' | 'signal' | 'signalWithStart' | 'cancel' | 'terminate';
type Call<K extends Guarded> = NonNullable<WorkflowClientInterceptor[K]>;

/** The interceptor method of call K: refuses it inside a retried transaction, named by `what`, else passes it on. */
function refusedInside<K extends Guarded>(what: (input: Parameters<Call<K>>[0]) => string): Call<K> {
  const call = async (input: Parameters<Call<K>>[0], next: (input: Parameters<Call<K>>[0]) => Promise<unknown>) => {
    assertOutsideRetriedTransaction(what(input));
    return next(input);
  };
  return call as unknown as Call<K>;
}

/**
 * A Temporal client interceptor that refuses every call changing a workflow (a start, an update, a
 * signal, a cancel, a termination) made inside a transaction that runs again on contention
 * (`transactionRetryingContention`, db/knex.ts): the transaction would make the call once per
 * attempt. Every client the composition roots connect carries it, so the rule in server/README.md
 * is checked wherever a service runs, tests included. Reads (queries, describe) pass.
 */
export const retriedTransactionGuard: WorkflowClientInterceptor = {
  startWithDetails: refusedInside<'startWithDetails'>((input) => `starting workflow ${input.workflowType}`),
  startUpdate: refusedInside<'startUpdate'>((input) => `the update ${input.updateName}`),
  startUpdateWithStart: refusedInside<'startUpdateWithStart'>((input) => `the update ${input.updateName} with start`),
  signal: refusedInside<'signal'>((input) => `the signal ${input.signalName}`),
  signalWithStart: refusedInside<'signalWithStart'>((input) => `the signal ${input.signalName} with start`),
  cancel: refusedInside<'cancel'>(() => 'cancelling a workflow'),
  terminate: refusedInside<'terminate'>(() => 'terminating a workflow'),
};
