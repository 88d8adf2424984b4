import { Router } from 'express';
import rateLimit from 'express-rate-limit';
import { fingerprint, ROLE_WORDS, ukDateTime } from '../../domain/wording';
import type { AccessLayer } from '../access';
import { AppError } from '../errors';
import { DEFAULT_RATE_LIMITS, RATE_LIMIT_WINDOW } from '../route-edge';
import type { Services } from '../services';
import { uploadedFile, uploadTooLarge } from './forms';
import { createPageKit } from './page-kit';
import { renderPage } from './views';

/** The API takes PDFs up to 25 MB; so does this page. */
const MAX_PDF_BYTES = 25 * 1024 * 1024;

/** Why a PDF is not a valid sealed copy, in words. */
const REASONS: Record<string, { heading: string; detail: string }> = {
  'not a PDF': { heading: 'This file is not a PDF', detail: 'Choose the PDF file you were sent, not a Word document or an image of it.' },
  'not sealed by Formwork': {
    heading: 'This PDF was not sealed by Formwork',
    detail:
      'It is not a sealed copy we issued, or it has been saved again since (printing to PDF or “save as” makes a new file). Ask the sender for the sealed copy itself.',
  },
  'altered after sealing': {
    heading: 'This PDF has been changed since it was sealed',
    detail: 'It says it is a copy we sealed, but its contents are not the ones we sealed. Do not rely on it: ask for the sealed copy again.',
  },
  'unknown document': {
    heading: 'We have no record of this document',
    detail: 'The PDF says it was sealed by Formwork, but no document of ours matches it. Do not rely on it.',
  },
  'does not match the sealing record': {
    heading: 'This PDF does not match our record of its signatures',
    detail: 'The file is one we sealed, but the list of who signed inside it differs from our record. Do not rely on it and tell the facilitator.',
  },
  'signature not valid': {
    heading: 'The PDF’s digital signature does not check out',
    detail: 'The seal’s signature does not verify against the file, so it may have been tampered with. Do not rely on it.',
  },
};

const LEVELS: Record<string, string> = {
  'PAdES-B-T': 'Signed by Formwork and time-stamped by an independent time-stamping authority (PAdES B-T)',
  'PAdES-B-B': 'Signed by Formwork (PAdES B-B, without an independent time stamp)',
};

function capacityWords(capacity: string): string {
  return (ROLE_WORDS as Record<string, string>)[capacity.toLowerCase()] ?? capacity.replace(/-/g, ' ');
}

/**
 * Anyone may check a PDF here, signed in or not: upload it (the page reads the form upload itself,
 * up to 25 MB; the API takes only the raw PDF) and read the result in words: whether it is a valid
 * sealed copy, which document and version, who signed and when (UK time), the PDF signature's
 * status, and why not when it is not.
 */
export function verifyPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { generateCsrfToken, upload, html } = createPageKit(s, access);
  // each check parses up to 25 MB; the same limit as the API's
  const perIp = rateLimit({ ...RATE_LIMIT_WINDOW, limit: DEFAULT_RATE_LIMITS.verifyPerMinutePerIp });

  router.get('/verify', (req, res) => {
    html(res);
    res.type('html').send(renderPage('verify', 'Check a sealed PDF', { csrf: generateCsrfToken(req, res) }));
  });

  router.post('/verify', perIp, upload('pdf', MAX_PDF_BYTES), async (req, res) => {
    html(res);
    const file = uploadedFile(req);
    const problem = uploadTooLarge(res) ? 'The file must be smaller than 25 MB' : !file ? 'Choose the PDF to check' : null;
    if (problem || !file) {
      return res
        .status(422)
        .type('html')
        .send(
          renderPage('verify', 'Error: Check a sealed PDF', {
            csrf: generateCsrfToken(req, res),
            errors: [{ field: 'pdf', message: problem }],
            pdfError: problem,
          }),
        );
    }
    let result;
    try {
      result = await s.evidence.verify(file);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'RATE_LIMITED' || err.code === 'UNAVAILABLE')) {
        return res
          .status(err.code === 'RATE_LIMITED' ? 429 : 503)
          .type('html')
          .send(
            renderPage('verify', 'Error: Check a sealed PDF', {
              csrf: generateCsrfToken(req, res),
              errors: [{ field: 'pdf', message: err.message }],
              pdfError: err.message,
            }),
          );
      }
      throw err;
    }
    const view = result.valid
      ? {
          valid: true,
          title: result.title,
          version: result.version,
          sealedAt: ukDateTime(result.sealedAt),
          signers: result.signedBy.map((x) => ({ name: x.name, practice: x.practice, capacity: capacityWords(x.capacity), signedAt: ukDateTime(x.signedAt) })),
          signature: result.signature
            ? {
                level: LEVELS[result.signature.level] ?? result.signature.level,
                signer: result.signature.signer,
                timestampedAt: result.signature.timestampedAt ? ukDateTime(result.signature.timestampedAt) : null,
                certificate: fingerprint(result.signature.certificateSha256),
              }
            : null,
          agreed: fingerprint(result.agreedSha256),
          sealed: fingerprint(result.sealedSha256),
        }
      : {
          valid: false,
          reason: REASONS[result.reason] ?? { heading: 'This PDF could not be confirmed', detail: result.reason },
          version: result.version ?? null,
        };
    res
      .type('html')
      .send(renderPage('verify', result.valid ? 'Valid sealed copy' : 'Not a valid sealed copy', { csrf: generateCsrfToken(req, res), result: view }));
  });

  return router;
}
