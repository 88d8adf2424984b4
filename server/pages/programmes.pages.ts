import { type Request, type Response, Router } from 'express';
import { authorize, type PersonActor } from '../../domain/access/policy';
import type { AccessAction } from '../../domain/access/actions';
import type { AccessLayer } from '../access';
import { AppError } from '../errors';
import { createProgrammeBody } from '../schemas';
import type { Services } from '../services';
import { byField, dateFromParts, type FieldError, text, wholeNumber } from './forms';
import { createPageKit } from './page-kit';
import type { Crumb } from './views';

export const HOME: Crumb = { href: '/', text: 'Home' };

/** The crumb of a programme's set-up page. */
export function programmeCrumb(p: { id: string; name: string }): Crumb {
  return { href: `/programmes/${p.id}/setup`, text: p.name };
}

/** Whether the person may do an action in a programme (to show or hide a page's buttons; the routes check again). */
export function mayIn(person: PersonActor, action: AccessAction, programmeId: string, networkId: string | null = null): boolean {
  return authorize(person, action, { programmeId, networkId }) === 'allow';
}

const FIELD_OF: Record<string, string> = {
  name: 'name',
  sponsor: 'sponsor',
  'footprint.minListSize': 'minListSize',
  'footprint.maxListSize': 'maxListSize',
  'settings.voteWindowDays': 'voteWindowDays',
};

/** The settings part of a programme form, as typed, with its problems. */
function readSettings(body: unknown, errors: FieldError[]) {
  const days = wholeNumber(text(body, 'voteWindowDays'));
  if (days === null || days < 1 || days > 60) errors.push({ field: 'voteWindowDays', message: 'Enter how many days a vote stays open, from 1 to 60' });
  return {
    signingCodeByEmail: text(body, 'signingCodeByEmail') === 'yes',
    decideStagesByVote: text(body, 'decideStagesByVote') === 'yes',
    voteWindowDays: days ?? 14,
  };
}

/**
 * A programme's set-up in pages: create a programme (footprint and settings), its set-up page
 * (waves, networks, staff, templates), change its settings and add waves. Everything a facilitator
 * could do with `POST /programmes`, `PUT /programmes/:id/settings` and `POST /programmes/:id/waves`.
 */
export function programmesPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { guard, page, personOf, form, doubleCsrfProtection } = createPageKit(s, access);

  async function newProgrammePage(req: Request, res: Response, values: Record<string, unknown>, errors: FieldError[] = []) {
    await page(
      req,
      res,
      'programme-new',
      errors.length ? 'Error: Set up a programme' : 'Set up a programme',
      { values, errors, fieldErrors: byField(errors), breadcrumbs: [HOME] },
      errors.length ? 422 : 200,
    );
  }

  router.get('/programmes/new', guard('programme.create'), async (req, res) => {
    await newProgrammePage(req, res, { voteWindowDays: '14' });
  });

  router.post('/programmes/new', guard('programme.create'), form, doubleCsrfProtection, async (req, res) => {
    const b = req.body as Record<string, string>;
    const errors: FieldError[] = [];
    const values = {
      name: text(b, 'name'),
      sponsor: text(b, 'sponsor'),
      minListSize: text(b, 'minListSize'),
      maxListSize: text(b, 'maxListSize'),
      voteWindowDays: text(b, 'voteWindowDays'),
      signingCodeByEmail: text(b, 'signingCodeByEmail') === 'yes',
      decideStagesByVote: text(b, 'decideStagesByVote') === 'yes',
    };
    if (!values.name) errors.push({ field: 'name', message: 'Enter the programme’s name' });
    if (!values.sponsor) errors.push({ field: 'sponsor', message: 'Enter who sponsors the programme, such as the ICB' });
    const min = wholeNumber(values.minListSize);
    const max = wholeNumber(values.maxListSize);
    if (min === null) errors.push({ field: 'minListSize', message: 'Enter the smallest list size a network may have, as a whole number of patients' });
    if (max === null || max === 0)
      errors.push({ field: 'maxListSize', message: 'Enter the largest list size a network may have, as a whole number of patients' });
    if (min !== null && max !== null && max > 0 && min > max)
      errors.push({ field: 'maxListSize', message: 'The largest list size must be at least the smallest' });
    const settings = readSettings(b, errors);
    const parsed = createProgrammeBody.safeParse({
      name: values.name,
      sponsor: values.sponsor,
      footprint: { minListSize: min ?? 0, maxListSize: max ?? 1 },
      settings,
    });
    if (!errors.length && !parsed.success)
      for (const i of parsed.error.issues) errors.push({ field: FIELD_OF[i.path.join('.')] ?? 'name', message: i.message });
    if (errors.length || !parsed.success) return newProgrammePage(req, res, values, errors);
    const programme = await s.networks.createProgramme(personOf(res), parsed.data);
    res.redirect(303, `/programmes/${programme.id}/setup?created=programme`);
  });

  router.get('/programmes/:id/setup', guard('programme.read', { programme: 'id' }), async (req, res) => {
    const person = personOf(res);
    const id = String(req.params.id);
    const programme = await s.networks.getProgramme(id);
    const networks = await s.networks.listNetworks(person, { programmeId: id });
    const waveNumber = new Map(programme.waves.map((w) => [w.id, w.number]));
    const notices: Record<string, string> = {
      programme: 'Programme set up. Add its waves next, then its networks.',
      wave: 'Wave added.',
      settings: 'Settings saved.',
      network: 'Network created.',
    };
    const imported = Number(req.query.imported);
    await page(req, res, 'programme-setup', `${programme.name}: set-up`, {
      programme,
      networks: networks.map((n) => ({ ...n, waveNumber: waveNumber.get(n.waveId) })),
      notice:
        Number.isInteger(imported) && imported > 0
          ? `${imported === 1 ? 'One network' : `${imported} networks`} created from your file.`
          : notices[String(req.query.created ?? '')],
      nextWave: (programme.waves.at(-1)?.number ?? 0) + 1,
      canManage: mayIn(person, 'programme.manage', id),
      canCreateNetwork: mayIn(person, 'network.create', id),
      canManageStaff: mayIn(person, 'staff.manage', id),
      canReadReadiness: mayIn(person, 'readiness.read', id),
      breadcrumbs: [HOME],
    });
  });

  async function settingsPage(req: Request, res: Response, values: Record<string, unknown> | null, errors: FieldError[] = []) {
    const programme = await s.networks.getProgramme(String(req.params.id));
    await page(
      req,
      res,
      'programme-settings',
      `${errors.length ? 'Error: ' : ''}${programme.name}: settings`,
      { programme, values: values ?? programme.settings, errors, fieldErrors: byField(errors), breadcrumbs: [HOME, programmeCrumb(programme)] },
      errors.length ? 422 : 200,
    );
  }

  router.get('/programmes/:id/settings', guard('programme.manage', { programme: 'id' }), async (req, res) => {
    await settingsPage(req, res, null);
  });

  router.post('/programmes/:id/settings', guard('programme.manage', { programme: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const errors: FieldError[] = [];
    const settings = readSettings(req.body, errors);
    if (errors.length) return settingsPage(req, res, { ...settings, voteWindowDays: text(req.body, 'voteWindowDays') }, errors);
    await s.networks.setProgrammeSettings(personOf(res), String(req.params.id), settings);
    res.redirect(303, `/programmes/${String(req.params.id)}/setup?created=settings`);
  });

  async function wavePage(req: Request, res: Response, values: Record<string, string> | null, errors: FieldError[] = []) {
    const programme = await s.networks.getProgramme(String(req.params.id));
    const next = String((programme.waves.at(-1)?.number ?? 0) + 1);
    await page(
      req,
      res,
      'wave-new',
      `${errors.length ? 'Error: ' : ''}Add a wave`,
      { programme, values: values ?? { number: next }, errors, fieldErrors: byField(errors), breadcrumbs: [HOME, programmeCrumb(programme)] },
      errors.length ? 422 : 200,
    );
  }

  router.get('/programmes/:id/waves/new', guard('programme.manage', { programme: 'id' }), async (req, res) => {
    await wavePage(req, res, null);
  });

  router.post('/programmes/:id/waves/new', guard('programme.manage', { programme: 'id' }), form, doubleCsrfProtection, async (req, res) => {
    const values = {
      number: text(req.body, 'number'),
      day: text(req.body, 'panelDate-day'),
      month: text(req.body, 'panelDate-month'),
      year: text(req.body, 'panelDate-year'),
    };
    const errors: FieldError[] = [];
    const number = wholeNumber(values.number);
    if (number === null || number < 1 || number > 100) errors.push({ field: 'number', message: 'Enter the wave’s number, from 1 to 100' });
    const panelDate = dateFromParts(values.day, values.month, values.year);
    if (!values.day && !values.month && !values.year) errors.push({ field: 'panelDate-day', message: 'Enter the date of the wave’s panel' });
    else if (!panelDate) errors.push({ field: 'panelDate-day', message: 'The panel date must be a real date, such as 16 3 2027' });
    if (errors.length || number === null || !panelDate) return wavePage(req, res, values, errors);
    try {
      await s.networks.createWave(personOf(res), String(req.params.id), { number, panelDate });
    } catch (err) {
      if (err instanceof AppError && err.code === 'ALREADY_EXISTS')
        return wavePage(req, res, values, [{ field: 'number', message: `Wave ${number} already exists: choose another number` }]);
      throw err;
    }
    res.redirect(303, `/programmes/${String(req.params.id)}/setup?created=wave`);
  });

  return router;
}
