import { type Request, type Response, Router } from 'express';
import { actorLabel } from '../../domain/access/policy';
import { number, plural, statusWords, ukDate } from '../../domain/wording';
import type { AccessLayer } from '../access';
import { AppError } from '../errors';
import type { Services } from '../services';
import { createPageKit } from './page-kit';

/** The tag colour of a stage's status. */
export const STAGE_TAG: Record<string, string> = {
  completed: 'nhsuk-tag--green',
  'awaiting-signatures': 'nhsuk-tag--blue',
  'awaiting-outcome': 'nhsuk-tag--orange',
  voting: 'nhsuk-tag--purple',
  drafting: 'nhsuk-tag--yellow',
  issuing: 'nhsuk-tag--yellow',
  pending: 'nhsuk-tag--grey',
};

const DONE: Record<string, string> = { started: 'Formation has started. The first stage is open for drafting.' };

/**
 * A network's page for staff: its practices and officers, where its formation stands stage by stage
 * (each stage opens its own page), starting formation, and the way to its panel, votes, elections
 * and disputes, offered as the person's powers allow.
 */
export function networkPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { guard, page, can, personOf, form, doubleCsrfProtection } = createPageKit(s, access);

  async function networkPage(req: Request, res: Response, extra: { errors?: { href: string; message: string }[] } = {}, status = 200) {
    const id = String(req.params.id).slice(0, 64);
    const [network, formation] = await Promise.all([s.networks.getNetwork(id), s.formation.status(id)]);
    const programme = await s.networks.getProgramme(network.programmeId);
    const done = DONE[String(req.query.done ?? '')];
    await page(
      req,
      res,
      'network',
      network.name,
      {
        breadcrumbs: [
          { href: '/', text: 'Home' },
          { href: `/programmes/${programme.id}/setup`, text: programme.name },
        ],
        network: { id: network.id, name: network.name },
        summary: `${plural(network.practices.length, 'practice')} · ${number(network.listSize)} registered patients`,
        formationWords: statusWords('formation', formation.status),
        startable: formation.status === 'not-started' && can(res, 'formation.manage'),
        stages: formation.stages.map((st) => {
          const round = st.signoff;
          const signed = round ? round.practices.filter((p) => p.signed).length : 0;
          return {
            key: st.key,
            title: st.title,
            position: st.position,
            statusWords: statusWords('stage', st.status),
            tagClass: STAGE_TAG[st.status] ?? 'nhsuk-tag--grey',
            current: formation.currentStage === st.key,
            href: `/networks/${network.id}/stages/${st.key}`,
            detail:
              round && st.status === 'awaiting-signatures'
                ? `Version ${round.documentVersion}: ${signed} of ${plural(round.practices.length, 'practice')} signed`
                : st.documents.length
                  ? `Latest version ${Math.max(...st.documents.map((d) => d.version))}`
                  : '',
          };
        }),
        practices: network.practices.map((p) => ({
          name: p.name,
          odsCode: p.odsCode,
          listSize: number(p.listSize),
          partners: p.people.filter((x) => x.roles.includes('partner')).length,
        })),
        offices: network.offices.map((o) => ({ office: o.office.replace(/-/g, ' '), name: o.name, until: o.endsOn ? ukDate(o.endsOn) : null })),
        links: [
          { href: `/networks/${network.id}/people`, text: 'Practices and people' },
          can(res, 'panel.read') ? { href: `/networks/${network.id}/panel`, text: 'Panel scores and outcome' } : null,
          can(res, 'motion.read') ? { href: `/networks/${network.id}/motions`, text: 'Votes (motions)' } : null,
          can(res, 'election.read') ? { href: `/networks/${network.id}/elections`, text: 'Elections' } : null,
          can(res, 'dispute.read') ? { href: `/networks/${network.id}/disputes`, text: 'Disputes' } : null,
          can(res, 'readiness.read') ? { href: `/networks/${network.id}/readiness`, text: 'Readiness' } : null,
        ].filter(Boolean),
        done,
        errors: extra.errors ?? [],
      },
      status,
    );
  }

  router.get('/networks/:id', guard('network.read', { network: 'id' }), (req, res) => networkPage(req, res));

  router.post('/networks/:id/formation', guard('formation.manage', { network: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const id = String(req.params.id).slice(0, 64);
    try {
      await s.formation.start(actorLabel(personOf(res)), id);
    } catch (err) {
      if (err instanceof AppError && err.code === 'ALREADY_STARTED')
        return networkPage(req, res, { errors: [{ href: 'stages', message: 'Formation of this network has already started.' }] }, 409);
      throw err;
    }
    res.redirect(303, `/networks/${id}?done=started`);
  });

  return router;
}
