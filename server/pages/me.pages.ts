import { type Request, type Response, Router } from 'express';
import { formatDate } from '../../documents/format';
import type { AccessLayer } from '../access';
import type { Services } from '../services';
import { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS } from '../services/people.service';
import { actionHeading, actionLine } from './sign.pages';
import { createPageKit } from './page-kit';

/**
 * A signed-in person's own pages: their account (roles, API tokens), everything waiting for them
 * across every link they were sent, and for panel members the panels awaiting their scores.
 */
export function mePagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { doubleCsrfProtection, form, guard, page, personOf } = createPageKit(s, access);

  async function accountPage(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const person = personOf(res);
    const me = await s.people.me(person);
    const programmes = new Map((await s.networks.listProgrammes(person)).map((p) => [p.id, p.name]));
    const networkName = async (id: string) => (await s.networks.getNetwork(id).catch(() => null))?.name ?? 'a network';
    const offices = [];
    for (const o of me.offices) offices.push({ office: o.office.replace(/-/g, ' '), network: await networkName(o.networkId) });
    const memberships = [];
    for (const m of me.practiceRoles) {
      const network = await s.networks.getNetwork(m.networkId).catch(() => null);
      memberships.push({ roles: m.roles.join(', ').replace(/-/g, ' '), practice: network?.practices.find((p) => p.id === m.practiceId)?.name ?? 'a practice' });
    }
    const tokens = (await s.people.listTokens(person)).map((t) => ({ ...t, expires: t.expiresAt ? formatDate(t.expiresAt) : 'never' }));
    await page(
      req,
      res,
      'me',
      'Your account',
      {
        person: me.person,
        administrator: me.administrator,
        grants: me.grants.map((g) => ({
          role: g.role.replace(/-/g, ' '),
          programmes: g.programmeIds.map((id) => programmes.get(id) ?? 'a programme').join(', '),
        })),
        offices,
        memberships,
        tokens,
        defaultDays: TOKEN_DEFAULT_DAYS,
        maxDays: TOKEN_MAX_DAYS,
        ...extra,
      },
      status,
    );
  }

  router.get('/me', guard('me.read'), (req, res) => accountPage(req, res));

  router.post('/me/tokens', guard('tokens.manage'), form, doubleCsrfProtection, async (req, res) => {
    const body = req.body as Record<string, string>;
    const label = String(body.label ?? '')
      .trim()
      .slice(0, 100);
    const days = Number(String(body.expiresInDays ?? '').trim() || TOKEN_DEFAULT_DAYS);
    if (!label) return accountPage(req, res, { labelError: 'Say what the token is for' }, 422);
    if (!Number.isInteger(days) || days < 1 || days > TOKEN_MAX_DAYS)
      return accountPage(req, res, { labelError: `Choose between 1 and ${TOKEN_MAX_DAYS} days` }, 422);
    const created = await s.people.createToken(personOf(res), { label, expiresInDays: days });
    res.setHeader('Cache-Control', 'no-store');
    await accountPage(req, res, { created });
  });

  router.post('/me/tokens/:id/revoke', guard('tokens.manage', { apiToken: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    await s.people.revokeToken(personOf(res), String(req.params.id));
    res.redirect(303, '/me');
  });

  router.get('/me/actions', guard('me.read'), async (req, res) => {
    const person = personOf(res);
    const me = await s.people.me(person);
    const items = await s.actions.mineFor(person.personId);
    await page(req, res, 'mine', 'My actions', {
      person: me.person,
      items: items.map((i) => ({ ...i, heading: actionHeading(i), line: actionLine(i) })),
      openBase: '/me/actions',
    });
  });

  router.post('/me/actions/:actionId', guard('me.read'), form, doubleCsrfProtection, async (req, res) => {
    const fresh = await s.actions.openMine(personOf(res).personId, String(req.params.actionId).slice(0, 64));
    res.redirect(303, `/a/${fresh}`);
  });

  // a panel member's landing page: per wave, the networks awaiting their score, each opened with a fresh link
  router.get('/panel', guard('panel.read'), async (req, res) => {
    const programmes = await s.panel.queueFor(personOf(res));
    await page(req, res, 'panel-queue', 'Panels', {
      programmes: programmes.map((p) => ({
        ...p,
        waves: p.waves.map((w) => ({
          ...w,
          awaiting: w.networks.filter((n) => n.status === 'awaiting'),
          scored: w.networks.filter((n) => n.status === 'scored'),
          others: w.networks
            .filter((n) => n.status === 'excluded' || n.status === 'closed')
            .map((n) => ({
              ...n,
              words: n.status === 'excluded' ? `you stand aside${n.exclusionReason ? `: ${n.exclusionReason}` : ''}` : 'scoring has closed',
            })),
        })),
      })),
    });
  });

  router.post('/panel/:presentationId/score', guard('panel.read'), form, doubleCsrfProtection, async (req, res) => {
    const fresh = await s.panel.openScoreLink(personOf(res), String(req.params.presentationId).slice(0, 64));
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.redirect(303, `/a/${fresh}`);
  });

  return router;
}
