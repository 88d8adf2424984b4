/** Values that test/setup/global.ts provides to test files through vitest's `inject()`. */
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the shared Temporal dev server (or TEMPORAL_ADDRESS). */
    temporalAddress: string;
    /** URL of the throwaway Postgres database `formwork_test` (or TEST_DATABASE_URL). */
    postgresUrl: string;
    /** The workflow code bundled once for the run (test/support/bundle.ts reads it). */
    workflowBundlePath: string;
  }
}
