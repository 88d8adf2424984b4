import type { WorkflowClientInterceptor } from '@temporalio/client';
import { assertOutsideRetriedTransaction } from '../db/knex';

/**
 * A Temporal client interceptor that refuses every call changing a workflow (a start, an update, a
 * signal, a cancel, a termination) made inside a transaction that runs again on contention
 * (`transactionRetryingContention`, db/knex.ts): the transaction would make the call once per
 * attempt. Every client the composition roots connect carries it, so the rule in server/README.md
 * is checked wherever a service runs, tests included. Reads (queries, describe) pass.
 */
export const retriedTransactionGuard: WorkflowClientInterceptor = {
  async startWithDetails(input, next) {
    assertOutsideRetriedTransaction(`starting workflow ${input.workflowType}`);
    return next(input);
  },
  async startUpdate(input, next) {
    assertOutsideRetriedTransaction(`the update ${input.updateName}`);
    return next(input);
  },
  async startUpdateWithStart(input, next) {
    assertOutsideRetriedTransaction(`the update ${input.updateName} with start`);
    return next(input);
  },
  async signal(input, next) {
    assertOutsideRetriedTransaction(`the signal ${input.signalName}`);
    return next(input);
  },
  async signalWithStart(input, next) {
    assertOutsideRetriedTransaction(`the signal ${input.signalName} with start`);
    return next(input);
  },
  async cancel(input, next) {
    assertOutsideRetriedTransaction('cancelling a workflow');
    return next(input);
  },
  async terminate(input, next) {
    assertOutsideRetriedTransaction('terminating a workflow');
    return next(input);
  },
};
