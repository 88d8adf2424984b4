import express, { type Request, type Response, Router } from 'express';
import type { AccessLayer } from '../access';
import { AppError } from '../errors';
import type { Services } from '../services';
import { type FieldError, text, uploadedFile, uploadTooLarge } from './forms';
import { createPageKit } from './page-kit';
import { HOME, mayIn, programmeCrumb } from './programmes.pages';

/** A template is text: 500,000 characters at most, as the API allows. */
const MAX_TEMPLATE_BYTES = 512 * 1024;

/** What the API's refusal of a template says, as lines a person can act on. */
function refusal(err: AppError): FieldError[] {
  const details = Array.isArray(err.details) ? (err.details as { path?: string; message?: string }[]) : [];
  if (err.code === 'TEMPLATE_INCOMPLETE') return details.map((d) => ({ field: 'file', message: `Refused: ${d.message}` }));
  if (err.code === 'TEMPLATE_CONTEXT_INVALID') {
    return [
      { field: 'file', message: `Refused: ${err.message}` },
      ...details.slice(0, 8).map((d) => ({ field: 'file', message: `${d.path ? `${d.path}: ` : ''}${d.message ?? ''}` })),
    ];
  }
  return [{ field: 'file', message: err.message }];
}

/**
 * A programme's document templates in pages: each stage's template in use (built-in or the
 * programme's version), its versions and required sections; uploading a version with a rendered
 * preview before it is used (kept server-side until "use this version"); going back to the built-in
 * one; downloading any version's source to start from.
 */
export function templatesPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { guard, page, personOf, doubleCsrfProtection, upload } = createPageKit(s, access);
  const smallForm = express.urlencoded({ extended: false, limit: '2kb' });

  router.get('/programmes/:id/templates', guard('programme.read', { programme: 'id' }), async (req, res) => {
    const programme = await s.networks.getProgramme(String(req.params.id));
    await page(req, res, 'templates', `${programme.name}: templates`, {
      programme,
      templates: await s.templates.overview(programme.id),
      breadcrumbs: [HOME, programmeCrumb(programme)],
    });
  });

  async function templatePage(req: Request, res: Response, errors: FieldError[] = []) {
    const programme = await s.networks.getProgramme(String(req.params.id));
    const template = (await s.templates.overview(programme.id)).find((t) => t.documentType === String(req.params.type));
    if (!template) throw new AppError('NOT_FOUND', 'There is no stage template of that name.');
    const done = String(req.query.done ?? '');
    await page(
      req,
      res,
      'template',
      `${errors.length ? 'Error: ' : ''}${template.title}: ${programme.name}`,
      {
        programme,
        template,
        versions: [...template.versions].reverse(),
        canManage: mayIn(personOf(res), 'programme.manage', programme.id),
        notice:
          done === 'used'
            ? `Version ${template.inUse.version ?? ''} is now in use. Documents issued from now on use it.`
            : done === 'reverted'
              ? 'The built-in template is in use again. Documents issued from now on use it.'
              : null,
        errors,
        breadcrumbs: [HOME, programmeCrumb(programme), { href: `/programmes/${programme.id}/templates`, text: 'Templates' }],
      },
      errors.length ? 422 : 200,
    );
  }

  router.get('/programmes/:id/templates/:type', guard('programme.read', { programme: 'id' }), async (req, res) => {
    await templatePage(req, res);
  });

  // the source to start a version from: the built-in template, or a version of the programme's
  router.get('/programmes/:id/templates/:type/source', guard('programme.read', { programme: 'id' }), async (req, res) => {
    const version = req.query.version === undefined ? undefined : Number(req.query.version);
    if (version !== undefined && !Number.isInteger(version)) throw new AppError('NOT_FOUND', 'No such version.');
    const { fileName, source } = await s.templates.source(String(req.params.id), String(req.params.type), version);
    res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
    res.type('text/plain; charset=utf-8').send(source);
  });

  router.post(
    '/programmes/:id/templates/:type/preview',
    guard('programme.manage', { programme: 'id' }),
    upload('file', MAX_TEMPLATE_BYTES),
    async (req, res) => {
      const file = uploadedFile(req);
      if (uploadTooLarge(res)) return templatePage(req, res, [{ field: 'file', message: 'The template must be smaller than 500 KB' }]);
      if (!file) return templatePage(req, res, [{ field: 'file', message: 'Choose the template file to upload' }]);
      let preview;
      try {
        preview = await s.templates.stageCandidate(personOf(res), String(req.params.id), String(req.params.type), file.toString('utf8'));
      } catch (err) {
        if (err instanceof AppError && ['TEMPLATE_INCOMPLETE', 'TEMPLATE_CONTEXT_INVALID', 'VALIDATION_FAILED'].includes(err.code))
          return templatePage(req, res, refusal(err));
        throw err;
      }
      const programme = await s.networks.getProgramme(String(req.params.id));
      const template = (await s.templates.overview(programme.id)).find((t) => t.documentType === String(req.params.type))!;
      await page(req, res, 'template-preview', `Preview: ${template.title}`, {
        programme,
        template,
        preview,
        breadcrumbs: [
          HOME,
          programmeCrumb(programme),
          { href: `/programmes/${programme.id}/templates`, text: 'Templates' },
          { href: `/programmes/${programme.id}/templates/${template.documentType}`, text: template.title },
        ],
      });
    },
  );

  router.post('/programmes/:id/templates/:type/use', guard('programme.manage', { programme: 'id' }), smallForm, doubleCsrfProtection, async (req, res) => {
    try {
      await s.templates.useStaged(personOf(res), String(req.params.id), String(req.params.type), text(req.body, 'upload').slice(0, 64));
    } catch (err) {
      if (err instanceof AppError && err.code !== 'FORBIDDEN') return templatePage(req, res, refusal(err));
      throw err;
    }
    res.redirect(303, `/programmes/${String(req.params.id)}/templates/${String(req.params.type)}?done=used`);
  });

  router.post('/programmes/:id/templates/:type/revert', guard('programme.manage', { programme: 'id' }), smallForm, doubleCsrfProtection, async (req, res) => {
    await s.templates.revert(personOf(res), String(req.params.id), String(req.params.type));
    res.redirect(303, `/programmes/${String(req.params.id)}/templates/${String(req.params.type)}?done=reverted`);
  });

  return router;
}
