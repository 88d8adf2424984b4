import { Router } from 'express';
import { authorize, scopeFilter } from '../../domain/access/policy';
import { stageTitle } from '../../domain/wording';
import { formatDate } from '../../documents/format';
import type { AccessLayer } from '../access';
import type { Services } from '../services';
import { createPageKit } from './page-kit';
import { signPagesRouter } from './sign.pages';

export { actionHeading } from './sign.pages';

/**
 * The HTML pages: the signing pages at /a/<token> and "my actions" from any link (sign.pages.ts),
 * and the staff pages (home, a wave's readiness), guarded by the same policy as the API. A
 * network's page is network.pages.ts.
 */
export function pagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { html, guard, page, signedIn } = createPageKit(s, access);
  router.use(signPagesRouter(s, access));

  /** The staff home: programmes and networks the person may read. Others go to their own landing page. */
  router.get('/', async (req, res) => {
    html(res);
    const person = await signedIn(req);
    if (!person) return res.redirect(303, '/signin');
    const networksReadable = scopeFilter(person, 'network.read');
    if (!networksReadable.all && networksReadable.programmeIds.length === 0) return res.redirect(303, await s.signin.landingPath(person));
    res.locals.person = person;
    await page(req, res, 'home', 'Networks', {
      programmes: await s.networks.programmesWithWaves(person),
      networks: await s.networks.listNetworks(person, {}),
      canCreateProgramme: authorize(person, 'programme.create', null) === 'allow',
    });
  });

  router.get('/waves/:id', guard('readiness.read', { wave: 'id' }), async (req, res) => {
    const readiness = await s.readiness.wave(String(req.params.id));
    const tag = { red: 'nhsuk-tag--red', amber: 'nhsuk-tag--orange', green: 'nhsuk-tag--green' } as const;
    await page(req, res, 'wave', `Wave ${readiness.number} readiness`, {
      ...readiness,
      panelDate: formatDate(readiness.panelDate),
      networks: readiness.networks.map((n) => ({
        ...n,
        tagClass: tag[n.rag],
        listSize: n.listSize.toLocaleString('en-GB'),
        stage: n.currentStage ? stageTitle(n.currentStage) : n.formationStatus === 'completed' ? 'All stages complete' : 'Not started',
      })),
      breadcrumbs: [
        { href: '/', text: 'Home' },
        { href: `/programmes/${readiness.programme.id}/setup`, text: readiness.programme.name },
      ],
    });
  });

  return router;
}
