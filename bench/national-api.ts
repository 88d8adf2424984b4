/**
 * The national bench's HTTP client: every call counted by route, failures recorded as errors of the
 * run (with the first few in words), retries that stop when a first attempt turns out to have gone
 * through, and the polling helper the drivers wait with.
 */
const REQUEST_TIMEOUT_MS = 120_000;
/** How long one step (a stage to open, a link to arrive) may take before the network is given up on. */
const STEP_TIMEOUT_MS = 15 * 60_000;
/** What a retried action is answered when its first attempt was done after all. */
const ALREADY_DONE = new Set(['ALREADY_SIGNED', 'ALREADY_SCORED', 'ALREADY_VOTED', 'ALREADY_STARTED', 'OUTCOME_RECORDED', 'CONDITION_CLOSED']);

export interface Metrics {
  signLatenciesMs: number[];
  signatures: number;
  scores: number;
  ballots: number;
  conditionsClosed: number;
  errors: number;
  /** the first few errors, in words */
  errorSamples: string[];
  /** requests made, by method and route (ids and tokens taken out) */
  requests: Record<string, number>;
}

export function emptyMetrics(): Metrics {
  return { signLatenciesMs: [], signatures: 0, scores: 0, ballots: 0, conditionsClosed: 0, errors: 0, errorSamples: [], requests: {} };
}

export interface Response<T = unknown> {
  status: number;
  body: T;
}

export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | null,
    private readonly metrics: Metrics,
  ) {}

  /** A GET timed from request to the last byte of the answer. */
  async timedGet(path: string): Promise<{ ms: number; bytes: number; ok: boolean }> {
    const started = performance.now();
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
      headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    return { ms: performance.now() - started, bytes: Buffer.byteLength(text), ok: res.ok };
  }

  /** A call whose failure (network, 5xx, an unexpected 4xx) counts as an error of the run. */
  async call<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response<T>> {
    const route = `${method} ${path.replace(/\?.*$/, '').replace(/\/(actions|networks|waves|programmes)\/[^/]+/g, '/$1/:id')}`;
    this.metrics.requests[route] = (this.metrics.requests[route] ?? 0) + 1;
    const h: Record<string, string> = { ...headers };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text for the error report
    }
    return { status: res.status, body: parsed as T };
  }

  anonymous(): Api {
    return new Api(this.baseUrl, null, this.metrics);
  }

  /** Records an error of the run (and keeps its words, for the first few). */
  error(what: string, res?: Response | unknown): void {
    this.metrics.errors += 1;
    if (this.metrics.errorSamples.length < 20) {
      const detail =
        res && typeof res === 'object' && 'status' in res
          ? `${(res as Response).status} ${JSON.stringify((res as Response).body).slice(0, 300)}`
          : String(res ?? '');
      this.metrics.errorSamples.push(`${what}: ${detail}`);
    }
  }

  /**
   * A call that must succeed with `expected`; anything else is an error, retried a few times. A
   * retry answered "already done" (the first attempt went through after all) ends the retries.
   */
  async expect<T = unknown>(what: string, expected: number, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let res: Response<T> | null = null;
      let failure: unknown = null;
      try {
        res = await this.call<T>(method, path, body, headers);
        if (res.status === expected) return res.body;
        const code = (res.body as { error?: { code?: string } } | null)?.error?.code ?? '';
        if (attempt > 1 && res.status === 409 && ALREADY_DONE.has(code)) return res.body;
      } catch (err) {
        failure = err;
      }
      this.error(what, res ?? failure);
      if (attempt >= 3) throw new Error(`${what} failed`);
      await sleep(1000 * attempt);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `check` gives a value; backs off from 200 ms to 2 s so waiting networks load the server little. */
export async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = STEP_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let wait = 200;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(wait);
    wait = Math.min(2000, Math.round(wait * 1.5));
  }
}
