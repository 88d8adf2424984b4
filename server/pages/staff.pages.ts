import { type Request, type Response, Router } from 'express';
import { STAFF_ROLES } from '../../domain/access/policy';
import { STAFF_ROLE_WORDS } from '../../domain/wording';
import type { AccessLayer } from '../access';
import type { Services } from '../services';
import { byField, type FieldError, text } from './forms';
import { createPageKit } from './page-kit';
import { HOME, programmeCrumb } from './programmes.pages';

const ROLE_HINTS: Record<(typeof STAFF_ROLES)[number], string> = {
  facilitator: 'Runs the programme: sets up networks, issues documents, invites staff.',
  commissioner: 'Reads everything in the programme and records readiness decisions.',
  'panel-member': 'Reads and scores the panel presentations of the programme’s waves.',
};

/**
 * A programme's staff in pages: who holds which role, inviting someone (they are emailed a sign-in
 * link), and revoking a grant. The same operations as `POST /staff`, `GET /staff`, `DELETE /staff/:id`.
 */
export function staffPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { guard, page, personOf, form, doubleCsrfProtection } = createPageKit(s, access);

  async function staffPage(req: Request, res: Response, typed: Record<string, string> = {}, errors: FieldError[] = []) {
    const id = String(req.params.id);
    const programme = await s.networks.getProgramme(id);
    const me = personOf(res);
    const grants = (await s.people.listStaff(me)).filter((g) => g.programmeIds.includes(id));
    const done = String(req.query.done ?? '');
    const invited = grants.find((g) => g.id === String(req.query.grant ?? ''));
    await page(
      req,
      res,
      'staff',
      `${errors.length ? 'Error: ' : ''}${programme.name}: staff`,
      {
        programme,
        grants: grants.map((g) => ({ ...g, roleWords: STAFF_ROLE_WORDS[g.role], alsoElsewhere: g.programmeIds.length > 1, mine: g.person.id === me.personId })),
        notice:
          done === 'invited' && invited
            ? `${invited.person.name} is now a ${STAFF_ROLE_WORDS[invited.role].toLowerCase()} of this programme. We have emailed them a link to sign in.`
            : done === 'revoked'
              ? 'Access revoked.'
              : null,
        roles: STAFF_ROLES.map((value) => ({ value, label: STAFF_ROLE_WORDS[value], hint: ROLE_HINTS[value], checked: typed.role === value })),
        typed,
        errors,
        fieldErrors: byField(errors),
        breadcrumbs: [HOME, programmeCrumb(programme)],
      },
      errors.length ? 422 : 200,
    );
  }

  router.get('/programmes/:id/staff', guard('staff.manage', { programme: 'id' }), async (req, res) => {
    await staffPage(req, res);
  });

  router.post('/programmes/:id/staff', guard('staff.invite', { programme: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const typed = { name: text(req.body, 'name'), email: text(req.body, 'email').toLowerCase(), role: text(req.body, 'role') };
    const errors: FieldError[] = [];
    if (!typed.name) errors.push({ field: 'name', message: 'Enter the full name of the person to invite' });
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(typed.email) || typed.email.length > 320)
      errors.push({ field: 'email', message: 'Enter their email address, like name@nhs.net' });
    const role = STAFF_ROLES.find((r) => r === typed.role);
    if (!role) errors.push({ field: `role-${STAFF_ROLES[0]}`, message: 'Choose what they will do in the programme' });
    if (errors.length || !role) return staffPage(req, res, typed, errors);
    const grant = await s.people.invite(personOf(res), { name: typed.name.slice(0, 300), email: typed.email, role, programmeIds: [String(req.params.id)] });
    res.redirect(303, `/programmes/${String(req.params.id)}/staff?done=invited&grant=${encodeURIComponent(grant.id)}`);
  });

  router.post('/programmes/:id/staff/:grantId/revoke', guard('staff.manage', { grant: 'grantId' }), form, doubleCsrfProtection, async (req, res) => {
    await s.people.revoke(personOf(res), String(req.params.grantId));
    res.redirect(303, `/programmes/${String(req.params.id)}/staff?done=revoked`);
  });

  return router;
}
