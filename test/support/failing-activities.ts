import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor } from '@temporalio/worker';

/**
 * A worker's activity interceptor (the stack's `workerInterceptors`) that makes one activity fail,
 * without retries, whenever `when(args)` says so: for tests and recordings that must see what a
 * workflow does when an activity cannot succeed. Every other call runs the real activity.
 */
export function failingActivity(opts: {
  activityType: string;
  when: (args: unknown[]) => boolean;
  failure: { message: string; type: string };
}): (ctx: Context) => { inbound: ActivityInboundCallsInterceptor } {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        if (ctx.info.activityType === opts.activityType && opts.when(input.args))
          throw ApplicationFailure.nonRetryable(opts.failure.message, opts.failure.type);
        return next(input);
      },
    },
  });
}
