import { type Request, type Response, Router } from 'express';
import { ROLE_WORDS } from '../../domain/wording';
import type { AccessLayer } from '../access';
import { AppError } from '../errors';
import { ROLES } from '../schemas';
import type { Services } from '../services';
import { OPEN_ROUNDS_NOTE } from '../services/network-members.service';
import { byField, type FieldError, text, values, wholeNumber } from './forms';
import { createPageKit } from './page-kit';
import { HOME, mayIn, programmeCrumb } from './programmes.pages';

const choices = (roles: readonly string[]) => ROLES.map((value) => ({ value, label: ROLE_WORDS[value], checked: roles.includes(value) }));
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * A network's practices and people after it was created, in pages: a practice's list size, adding a
 * person, changing a person's name and roles, taking them off. The page says what happens to a
 * signing round already out (it keeps the people it was sent to).
 */
export function networkPeoplePagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { guard, page, personOf, form, doubleCsrfProtection } = createPageKit(s, access);

  async function peoplePage(
    req: Request,
    res: Response,
    extra: { errors?: FieldError[]; practiceId?: string; typed?: Record<string, unknown>; notice?: string } = {},
  ) {
    const person = personOf(res);
    const network = await s.networks.getNetwork(String(req.params.id));
    const programme = await s.networks.getProgramme(network.programmeId);
    const errors = extra.errors ?? [];
    const notices: Record<string, string> = {
      network: 'Network created.',
      added: 'Person added.',
      changed: 'Changes saved.',
      removed: 'Person taken off the practice.',
      list: 'List size saved.',
    };
    await page(
      req,
      res,
      'network-people',
      `${errors.length ? 'Error: ' : ''}${network.name}: practices and people`,
      {
        network,
        canManage: mayIn(person, 'network.manage', network.programmeId, network.id),
        note: OPEN_ROUNDS_NOTE,
        notice: extra.notice ?? notices[String(req.query.created ?? req.query.done ?? '')],
        practices: network.practices.map((p, i) => {
          const mine = extra.practiceId === p.id;
          return {
            ...p,
            i,
            typed: mine ? extra.typed : { listSize: String(p.listSize), roleChoices: choices([]) },
            fieldErrors: mine ? byField(errors) : {},
            open: mine && errors.length > 0,
          };
        }),
        errors,
        breadcrumbs: [HOME, programmeCrumb(programme), { href: `/networks/${network.id}`, text: network.name }],
      },
      errors.length ? 422 : 200,
    );
  }

  router.get('/networks/:id/people', guard('network.read', { network: 'id' }), async (req, res) => {
    await peoplePage(req, res);
  });

  router.post('/networks/:id/practices/:practiceId', guard('network.manage', { network: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const practiceId = String(req.params.practiceId);
    const network = await s.networks.getNetwork(String(req.params.id));
    const i = network.practices.findIndex((p) => p.id === practiceId);
    const typed = text(req.body, 'listSize');
    const listSize = wholeNumber(typed);
    if (listSize === null || listSize > 1_000_000) {
      return peoplePage(req, res, {
        practiceId,
        typed: { listSize: typed, roleChoices: choices([]) },
        errors: [{ field: `list-${i}`, message: 'Enter the list size as a whole number of patients, up to 1,000,000' }],
      });
    }
    await s.networkMembers.changePractice(personOf(res), network.id, practiceId, { listSize });
    res.redirect(303, `/networks/${network.id}/people?done=list`);
  });

  router.post('/networks/:id/practices/:practiceId/people', guard('network.manage', { network: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const practiceId = String(req.params.practiceId);
    const network = await s.networks.getNetwork(String(req.params.id));
    const i = network.practices.findIndex((p) => p.id === practiceId);
    const practice = network.practices[i];
    if (!practice) throw new AppError('NOT_FOUND', 'This practice is not one of the network’s practices.');
    const input = {
      name: text(req.body, 'name'),
      email: text(req.body, 'email').toLowerCase(),
      roles: values(req.body, 'roles').filter((r): r is (typeof ROLES)[number] => (ROLES as readonly string[]).includes(r)),
    };
    const errors: FieldError[] = [];
    if (!input.name) errors.push({ field: `add-${i}-name`, message: `Enter the full name of the person to add to ${practice.name}` });
    if (!EMAIL.test(input.email)) errors.push({ field: `add-${i}-email`, message: 'Enter their email address, like name@nhs.net' });
    if (input.roles.length === 0) errors.push({ field: `add-${i}-roles-${ROLES[0]}`, message: 'Choose at least one role' });
    const typed = { listSize: String(practice.listSize), name: input.name, email: input.email, roleChoices: choices(input.roles) };
    if (errors.length) return peoplePage(req, res, { practiceId, typed, errors });
    try {
      await s.networkMembers.addPerson(personOf(res), network.id, practiceId, input);
    } catch (err) {
      if (err instanceof AppError && err.code === 'ALREADY_EXISTS')
        return peoplePage(req, res, { practiceId, typed, errors: [{ field: `add-${i}-email`, message: err.message }] });
      throw err;
    }
    res.redirect(303, `/networks/${network.id}/people?done=added`);
  });

  async function personPage(req: Request, res: Response, typed: { name: string; roles: string[] } | null, errors: FieldError[] = []) {
    const network = await s.networks.getNetwork(String(req.params.id));
    const programme = await s.networks.getProgramme(network.programmeId);
    const practice = network.practices.find((p) => p.people.some((x) => x.id === String(req.params.personId)));
    const member = practice?.people.find((x) => x.id === String(req.params.personId));
    if (!practice || !member) throw new AppError('NOT_FOUND', 'This person is not one of the network’s people.');
    const shown = typed ?? { name: member.name, roles: member.roles };
    await page(
      req,
      res,
      'network-person',
      `${errors.length ? 'Error: ' : ''}Change ${member.name}`,
      {
        network,
        practice,
        member,
        typed: { name: shown.name, roleChoices: choices(shown.roles) },
        note: OPEN_ROUNDS_NOTE,
        errors,
        fieldErrors: byField(errors),
        breadcrumbs: [
          HOME,
          programmeCrumb(programme),
          { href: `/networks/${network.id}`, text: network.name },
          { href: `/networks/${network.id}/people`, text: 'Practices and people' },
        ],
      },
      errors.length ? 422 : 200,
    );
  }

  router.get('/networks/:id/people/:personId', guard('network.manage', { network: 'id' }), async (req, res) => {
    await personPage(req, res, null);
  });

  router.post('/networks/:id/people/:personId', guard('network.manage', { network: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const typed = {
      name: text(req.body, 'name'),
      roles: values(req.body, 'roles').filter((r): r is (typeof ROLES)[number] => (ROLES as readonly string[]).includes(r)),
    };
    const errors: FieldError[] = [];
    if (!typed.name) errors.push({ field: 'name', message: 'Enter their full name' });
    if (typed.roles.length === 0) errors.push({ field: `roles-${ROLES[0]}`, message: 'Choose at least one role' });
    if (errors.length) return personPage(req, res, typed, errors);
    try {
      await s.networkMembers.changePerson(personOf(res), String(req.params.id), String(req.params.personId), { name: typed.name, roles: typed.roles });
    } catch (err) {
      if (err instanceof AppError && err.code === 'LAST_PARTNER') return personPage(req, res, typed, [{ field: 'roles-partner', message: err.message }]);
      throw err;
    }
    res.redirect(303, `/networks/${String(req.params.id)}/people?done=changed`);
  });

  router.post('/networks/:id/people/:personId/remove', guard('network.manage', { network: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    try {
      await s.networkMembers.removePerson(personOf(res), String(req.params.id), String(req.params.personId));
    } catch (err) {
      if (err instanceof AppError && err.code === 'LAST_PARTNER') return personPage(req, res, null, [{ field: 'remove', message: err.message }]);
      throw err;
    }
    res.redirect(303, `/networks/${String(req.params.id)}/people?done=removed`);
  });

  return router;
}
