import express, { type Request, type Response, Router } from 'express';
import { plural, ROLE_WORDS } from '../../domain/wording';
import type { AccessLayer } from '../access';
import { AppError } from '../errors';
import { createNetworkBody, ROLES } from '../schemas';
import type { Services } from '../services';
import { CSV_COLUMNS, EXAMPLE_CSV, MAX_ROWS } from '../services/network-csv';
import { byField, type FieldError, text, uploadedFile, uploadTooLarge, values, wholeNumber } from './forms';
import { createPageKit } from './page-kit';
import { HOME, programmeCrumb } from './programmes.pages';

/** The largest CSV the import takes: far more than 2,000 rows of people need. */
const MAX_CSV_BYTES = 1024 * 1024;

const ROLE_CHOICES = ROLES.map((value) => ({ value, label: ROLE_WORDS[value] }));

interface PersonRow {
  name: string;
  email: string;
  roles: string[];
}
interface PracticeRow {
  name: string;
  ods: string;
  list: string;
  people: PersonRow[];
}

/** The network form as typed: blank rows kept, so pressing "add another" loses nothing. */
function readNetworkForm(body: unknown) {
  const practiceCount = Math.min(Math.max(wholeNumber(text(body, 'practiceCount')) ?? 1, 1), 250);
  const practices: PracticeRow[] = [];
  for (let i = 0; i < practiceCount; i++) {
    const personCount = Math.min(Math.max(wholeNumber(text(body, `p${i}-personCount`)) ?? 1, 1), 200);
    const people: PersonRow[] = [];
    for (let j = 0; j < personCount; j++)
      people.push({ name: text(body, `p${i}-person${j}-name`), email: text(body, `p${i}-person${j}-email`), roles: values(body, `p${i}-person${j}-roles`) });
    practices.push({ name: text(body, `p${i}-name`), ods: text(body, `p${i}-ods`).toUpperCase(), list: text(body, `p${i}-list`), people });
  }
  return { name: text(body, 'name'), waveId: text(body, 'waveId'), practices };
}

const blankPerson = (p: PersonRow) => !p.name && !p.email && p.roles.length === 0;
const blankPractice = (p: PracticeRow) => !p.name && !p.ods && !p.list && p.people.every(blankPerson);

/**
 * Adding networks in pages: on a form (a practice at a time, a person at a time, without script) and
 * from a CSV file with a preview in which nothing is written until the facilitator confirms it.
 */
export function networkSetupPagesRouter(s: Services, access: AccessLayer): Router {
  const router = Router();
  const { guard, page, personOf, doubleCsrfProtection, upload } = createPageKit(s, access);
  // a network of many practices is a long form
  const longForm = express.urlencoded({ extended: false, limit: '400kb', parameterLimit: 20_000 });

  async function networkFormPage(req: Request, res: Response, typed: ReturnType<typeof readNetworkForm>, errors: FieldError[] = []) {
    const programme = await s.networks.getProgramme(String(req.params.id));
    await page(
      req,
      res,
      'network-new',
      `${errors.length ? 'Error: ' : ''}Add a network`,
      {
        programme,
        typed: { ...typed, waveId: typed.waveId || (programme.waves.length === 1 ? programme.waves[0].id : '') },
        practices: typed.practices.map((p, i) => ({
          ...p,
          i,
          people: p.people.map((x, j) => ({ ...x, i, j, roleChoices: ROLE_CHOICES.map((r) => ({ ...r, checked: x.roles.includes(r.value) })) })),
        })),
        errors,
        fieldErrors: byField(errors),
        breadcrumbs: [HOME, programmeCrumb(programme)],
      },
      errors.length ? 422 : 200,
    );
  }

  router.get('/programmes/:id/networks/new', guard('network.create', { programme: 'id' }), async (req, res) => {
    await networkFormPage(req, res, readNetworkForm({ practiceCount: '1', 'p0-personCount': '2' }));
  });

  router.post('/programmes/:id/networks/new', guard('network.create', { programme: 'id' }), longForm, doubleCsrfProtection, async (req, res) => {
    const typed = readNetworkForm(req.body);
    const action = text(req.body, 'action');
    if (action === 'add-practice') {
      typed.practices.push({ name: '', ods: '', list: '', people: [{ name: '', email: '', roles: [] }] });
      return networkFormPage(req, res, typed);
    }
    const addPerson = /^add-person-(\d+)$/.exec(action);
    if (addPerson) {
      typed.practices[Number(addPerson[1])]?.people.push({ name: '', email: '', roles: [] });
      return networkFormPage(req, res, typed);
    }
    const errors: FieldError[] = [];
    if (!typed.name) errors.push({ field: 'name', message: 'Enter the network’s name' });
    if (!typed.waveId) errors.push({ field: 'waveId', message: 'Choose the wave the network is in' });
    // blank rows are left out; each row keeps its place for its error messages
    const kept = typed.practices.map((p, i) => ({ p, i })).filter(({ p }) => !blankPractice(p));
    if (kept.length === 0) errors.push({ field: 'p0-name', message: 'Add at least one practice' });
    const practices = kept.map(({ p, i }) => {
      if (!p.name) errors.push({ field: `p${i}-name`, message: `Enter the name of practice ${i + 1}` });
      if (!p.ods) errors.push({ field: `p${i}-ods`, message: `Enter the ODS code of ${p.name || `practice ${i + 1}`}` });
      else if (!/^[A-Z0-9]{3,10}$/.test(p.ods))
        errors.push({ field: `p${i}-ods`, message: `The ODS code of ${p.name || `practice ${i + 1}`} must be capital letters and digits, such as F84001` });
      const listSize = wholeNumber(p.list);
      if (listSize === null)
        errors.push({ field: `p${i}-list`, message: `Enter the list size of ${p.name || `practice ${i + 1}`} as a whole number of patients` });
      const people = p.people.map((x, j) => ({ x, j })).filter(({ x }) => !blankPerson(x));
      if (people.length === 0) errors.push({ field: `p${i}-person0-name`, message: `Add at least one person to ${p.name || `practice ${i + 1}`}` });
      for (const { x, j } of people) {
        if (!x.name) errors.push({ field: `p${i}-person${j}-name`, message: `Enter the name of person ${j + 1} of ${p.name || `practice ${i + 1}`}` });
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(x.email))
          errors.push({ field: `p${i}-person${j}-email`, message: `Enter the email address of ${x.name || `person ${j + 1}`}, like name@nhs.net` });
        if (x.roles.length === 0)
          errors.push({ field: `p${i}-person${j}-roles-${ROLES[0]}`, message: `Choose at least one role for ${x.name || `person ${j + 1}`}` });
      }
      if (people.length && people.every(({ x }) => x.roles.length > 0) && !people.some(({ x }) => x.roles.includes('partner'))) {
        errors.push({
          field: `p${i}-person${people[0].j}-roles-partner`,
          message: `${p.name || `Practice ${i + 1}`} needs at least one partner to sign for it`,
        });
      }
      return { name: p.name, odsCode: p.ods, listSize: listSize ?? 0, people: people.map(({ x }) => ({ name: x.name, email: x.email, roles: x.roles })) };
    });
    const body = { programmeId: String(req.params.id), waveId: typed.waveId, name: typed.name, practices };
    const parsed = createNetworkBody.safeParse(body);
    if (!errors.length && !parsed.success) {
      for (const issue of parsed.error.issues) {
        const [top, pi, , pj, field] = issue.path as (string | number)[];
        const i = typeof pi === 'number' ? kept[pi].i : 0;
        const j = typeof pj === 'number' ? (kept[pi as number].p.people.map((x, k) => ({ x, k })).filter(({ x }) => !blankPerson(x))[pj]?.k ?? 0) : 0;
        const id =
          top !== 'practices'
            ? String(top)
            : typeof pj === 'number'
              ? `p${i}-person${j}-${field === 'roles' ? `roles-${ROLES[0]}` : String(field)}`
              : `p${i}-${issue.path[2] === 'odsCode' ? 'ods' : issue.path[2] === 'listSize' ? 'list' : 'name'}`;
        errors.push({ field: id, message: issue.message });
      }
    }
    if (errors.length || !parsed.success) return networkFormPage(req, res, typed, errors);
    let created;
    try {
      created = await s.networks.createNetwork(personOf(res), parsed.data);
    } catch (err) {
      if (err instanceof AppError && err.code === 'ALREADY_EXISTS')
        return networkFormPage(req, res, typed, [{ field: 'name', message: `The programme already has a network called ${typed.name}` }]);
      if (err instanceof AppError && err.code === 'VALIDATION_FAILED')
        return networkFormPage(req, res, typed, [{ field: 'waveId', message: 'Choose a wave of this programme' }]);
      throw err;
    }
    res.redirect(303, `/networks/${created.id}/people?created=network`);
  });

  // ---- from a CSV file ----

  async function importPage(
    req: Request,
    res: Response,
    extra: { waveId?: string; errors?: FieldError[]; problems?: { row: number | null; column: string | null; message: string }[] } = {},
  ) {
    const programme = await s.networks.getProgramme(String(req.params.id));
    const errors = extra.errors ?? [];
    await page(
      req,
      res,
      'network-import',
      `${errors.length ? 'Error: ' : ''}Add networks from a spreadsheet`,
      {
        programme,
        waveId: extra.waveId ?? (programme.waves.length === 1 ? programme.waves[0].id : ''),
        columns: CSV_COLUMNS,
        maxRows: MAX_ROWS,
        errors,
        // the file's own message is one line; the rows are listed below the form
        fieldErrors: {
          ...byField(errors),
          ...(extra.problems?.length
            ? { file: `The file has ${plural(extra.problems.length, 'problem')}: fix ${extra.problems.length === 1 ? 'it' : 'them'} and upload it again` }
            : {}),
        },
        problems: extra.problems ?? [],
        breadcrumbs: [HOME, programmeCrumb(programme)],
      },
      errors.length ? 422 : 200,
    );
  }

  router.get('/network-import-example.csv', (_req, res) => {
    res.setHeader('Content-Disposition', 'attachment; filename="networks-example.csv"');
    res.type('text/csv').send(EXAMPLE_CSV);
  });

  router.get('/programmes/:id/networks/import', guard('network.create', { programme: 'id' }), async (req, res) => {
    await importPage(req, res);
  });

  router.post('/programmes/:id/networks/import', guard('network.create', { programme: 'id' }), upload('file', MAX_CSV_BYTES), async (req, res) => {
    const waveId = text(req.body, 'waveId');
    const file = uploadedFile(req);
    const errors: FieldError[] = [];
    if (!waveId) errors.push({ field: 'waveId', message: 'Choose the wave the networks are in' });
    if (uploadTooLarge(res)) errors.push({ field: 'file', message: 'The file must be smaller than 1 MB' });
    else if (!file) errors.push({ field: 'file', message: 'Choose a CSV file' });
    if (errors.length || !file) return importPage(req, res, { waveId, errors });
    const staged = await s.networkImport.stage(personOf(res), String(req.params.id), waveId, file.toString('utf8'));
    if (!staged.upload) {
      const summary: FieldError[] = staged.problems.map((p) => ({
        field: 'file',
        message: `${p.row ? `Row ${p.row}` : 'The file'}${p.column ? `, ${p.column}` : ''}: ${p.message}`,
      }));
      return importPage(req, res, {
        waveId,
        errors:
          summary.length > 10
            ? [...summary.slice(0, 10), { field: 'problems', message: `and ${summary.length - 10} more problems: see the list below the form` }]
            : summary,
        problems: staged.problems,
      });
    }
    const programme = await s.networks.getProgramme(String(req.params.id));
    const networks = staged.upload.networks.map((n) => ({
      ...n,
      listSize: n.practices.reduce((t, p) => t + p.listSize, 0),
      people: n.practices.reduce((t, p) => t + p.people.length, 0),
    }));
    await page(req, res, 'network-import-preview', 'Check the networks before they are created', {
      programme,
      uploadId: staged.upload.id,
      wave: staged.upload.wave,
      networks,
      rows: staged.rows,
      practiceCount: networks.reduce((t, n) => t + n.practices.length, 0),
      minutes: s.networkImport.stagedMinutes,
      breadcrumbs: [HOME, programmeCrumb(programme)],
    });
  });

  router.post(
    '/programmes/:id/networks/import/confirm',
    guard('network.create', { programme: 'id' }),
    express.urlencoded({ extended: false, limit: '2kb' }),
    doubleCsrfProtection,
    async (req, res) => {
      try {
        const created = await s.networkImport.confirm(personOf(res), String(req.params.id), text(req.body, 'upload').slice(0, 64));
        res.redirect(303, `/programmes/${String(req.params.id)}/setup?imported=${created.length}`);
      } catch (err) {
        if (err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'VALIDATION_FAILED' || err.code === 'CONFLICT')) {
          const problems = Array.isArray(err.details)
            ? (err.details as { path: string; message: string }[]).map((d) => ({
                row: Number(d.path.replace('row ', '')) || null,
                column: null,
                message: d.message,
              }))
            : [];
          return importPage(req, res, { errors: [{ field: 'file', message: err.message }], problems });
        }
        throw err;
      }
    },
  );

  return router;
}
