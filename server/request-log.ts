import type { Logger } from 'pino';
import pinoHttp from 'pino-http';
import { redactUrl } from './log-redaction';

/** One line per request: method, path (with any secret taken out), status; no headers, cookies or bodies. */
export function requestLogger(log: Logger) {
  return pinoHttp({
    logger: log,
    genReqId: (_req, res) => String((res as { locals?: { requestId?: string } }).locals?.requestId ?? ''),
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: redactUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: (err: { message?: string }) => ({ message: redactUrl(String(err?.message ?? '')) }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
  });
}
