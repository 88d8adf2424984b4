import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { STAGES } from '../../../domain/stages';
import { fieldErrors } from '../../../server/pages/form-errors';
import { dataFromState, stateFromBody, stateFromData } from '../../../server/pages/form-values';
import { formView } from '../../../server/pages/form-view';
import { allFields, formFields, type FieldNode } from '../../../server/pages/schema-form';
import { STAGE_TEMPLATES } from '../../../templates';

const practices = [
  { value: 'p-1', label: 'Spitalfields Surgery' },
  { value: 'p-2', label: 'Bethnal Green Group Practice' },
];
const keySets = { practices };
const shapeKeys = (schema: z.ZodType) => Object.keys((schema as z.ZodObject).shape);

/** A body as the browser posts it: every input of the rendered form, as strings. */
function postedBody(fields: readonly FieldNode[], state: Record<string, string | string[]>): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {};
  const walk = (views: ReturnType<typeof formView>) => {
    for (const v of views) {
      if (v.isDate) for (const part of ['day', 'month', 'year'] as const) body[`${v.name}.${part}`] = v.date![part];
      else if (v.isText) body[v.name] = v.value ?? '';
      else if (v.isChoice) {
        const chosen = v.options!.find((o) => o.checked);
        // an unchecked radio group sends nothing; a select always sends its value
        if (chosen) body[v.name] = chosen.value;
        else if (v.select) body[v.name] = '';
      } else if (v.isCheckboxes) {
        const chosen = v.options!.filter((o) => o.checked).map((o) => o.value);
        if (chosen.length) body[v.name] = chosen;
      } else if (v.isGroup) walk(v.children!);
      else if (v.isRows) for (const item of v.items!) walk(item.children);
    }
  };
  walk(formView(fields, state, []));
  return body;
}

/** Data that uses every kind of field a stage has: lists, rows, keyed records, dates, choices. */
const SAMPLES: Record<string, unknown> = {
  'panel-presentation': {
    vision: 'One standard of care.',
    aspirations: ['Shared dashboard', 'Extended hours'],
    chair: 'Dr Ann Ali',
    nominatedPayee: 'Spitalfields Surgery',
  },
  'terms-of-reference': {
    purpose: 'To work together.',
    legalForm: 'clg',
    noticeDays: 10,
    egmRequestPercent: 33.5,
    virtualAttendance: false,
    patientRepresentative: { included: true, name: 'Mr Pat Rep' },
    quorum: { requiredOffices: ['Chair'] },
    censusDate: '2027-03-16',
    votingRules: { ordinary: { basis: 'list-size' }, dissolution: { threshold: 'unanimous' } },
    subGroups: [],
  },
  'legal-entity': { holdsContract: 'network', holdsGms: false, employsStaff: 'lead-practice', nhsPension: true },
  'data-sharing-agreement': {
    controllerModel: 'independent',
    dataItems: [
      { item: 'Demographics', form: 'identifiable' },
      { item: 'Dashboard counts', form: 'aggregate' },
    ],
    processors: [{ name: 'North East London CSU', role: 'Hosts the dashboard' }],
    reviewMonths: 6,
  },
  'financial-framework': {
    streams: [
      { name: 'OD grant', amountPounds: 40000, basis: 'fixed' },
      { name: 'Care packages', source: 'ICB', basis: 'outcome' },
    ],
    upfrontPercent: 60,
    distributionMethod: 'custom',
    customShares: { 'p-1': 60, 'p-2': 40 },
    weightedListSizes: { 'p-1': 10500.5 },
  },
  'strategic-plan': {
    values: ['Fairness', 'Openness'],
    shortTerm: [{ action: 'Hire a pharmacist', owner: 'Network manager', due: 'March 2028' }],
    enablers: [{ area: 'Digital', plan: 'One shared dashboard.' }],
    risks: [{ risk: 'Recruitment', mitigation: 'Shared posts' }],
  },
};

describe('a form generated from every stage schema', () => {
  it.each(STAGES.map((s) => [s.key] as const))('%s: every field of the schema is in the form, labelled, with its hint', (stage) => {
    const schema = STAGE_TEMPLATES[stage].stageDataSchema;
    const fields = formFields(schema, keySets);
    expect(fields.map((f) => f.path[0])).toEqual(shapeKeys(schema));
    // every field is titled in the schema (its key in words would read "Egm request percent"); a
    // keyed record's value is labelled by its key (a practice, a decision type) instead
    const untitled = allFields(fields).filter((f) => !f.titled && f.path.at(-1) !== '*');
    expect(untitled.map((f) => f.path.join('.'))).toEqual([]);
  });

  it.each(STAGES.map((s) => [s.key] as const))('%s: the stored data, shown in the form and posted back, is the object the API accepts', (stage) => {
    const schema = STAGE_TEMPLATES[stage].stageDataSchema;
    const fields = formFields(schema, keySets);
    const sample = SAMPLES[stage];
    const body = postedBody(fields, stateFromData(fields, sample));
    const posted = dataFromState(fields, stateFromBody(fields, body));
    expect(schema.parse(posted)).toEqual(schema.parse(sample));
  });

  it.each(STAGES.map((s) => [s.key] as const))('%s: a form saved untouched keeps the defaults and adds nothing', (stage) => {
    const schema = STAGE_TEMPLATES[stage].stageDataSchema;
    const fields = formFields(schema, keySets);
    const posted = dataFromState(fields, stateFromBody(fields, postedBody(fields, stateFromData(fields, {}))));
    expect(schema.parse(posted)).toEqual(schema.parse({}));
  });
});

describe('nested and repeated fields', () => {
  const schema = STAGE_TEMPLATES['data-sharing-agreement'].stageDataSchema;
  const fields = formFields(schema, keySets);

  it('reads rows back in order, dropping rows left empty and renumbering the rest', () => {
    const state = stateFromBody(fields, {
      'dataItems.0.item': '',
      'dataItems.0.form': '',
      'dataItems.1.item': 'Appointments',
      'dataItems.1.form': 'pseudonymised',
      'dataItems.2.item': 'Referrals',
      'dataItems.2.form': 'identifiable',
      'processors.0.name': 'CSU',
      'processors.0.role': 'Hosting',
    });
    expect(state['dataItems.0.item']).toBe('Appointments');
    expect(dataFromState(fields, state)).toMatchObject({
      dataItems: [
        { item: 'Appointments', form: 'pseudonymised' },
        { item: 'Referrals', form: 'identifiable' },
      ],
      processors: [{ name: 'CSU', role: 'Hosting' }],
    });
  });

  it('shows stored rows and one empty row with no defaults in it', () => {
    const view = formView(fields, stateFromData(fields, { processors: [{ name: 'CSU', role: 'Hosting' }] }), []);
    const processors = view.find((v) => v.name === 'processors')!;
    expect(processors.items!.map((i) => i.children.map((c) => c.value))).toEqual([
      ['CSU', 'Hosting'],
      ['', ''],
    ]);
    expect(processors.addName).toBe('processors');
  });

  it('puts each problem beside its own box in NHS words, and keeps what was typed', () => {
    const body = {
      'dataItems.0.item': 'x'.repeat(1001),
      'dataItems.0.form': 'aggregate',
      'dataItems.1.item': '',
      'dataItems.1.form': 'identifiable',
      reviewMonths: 'twelve',
      purposes: 'Direct care\n\n' + 'y'.repeat(1200),
    };
    const state = stateFromBody(fields, body);
    const result = schema.safeParse(dataFromState(fields, state));
    expect(result.success).toBe(false);
    const errors = fieldErrors(fields, result.error!, dataFromState(fields, state));
    expect(errors).toEqual(
      expect.arrayContaining([
        { name: 'dataItems.0.item', href: 'f-dataItems-0-item', message: 'Data item 1: what is shared must be 1,000 characters or fewer' },
        { name: 'dataItems.1.item', href: 'f-dataItems-1-item', message: 'Data item 2: enter what is shared' },
        { name: 'reviewMonths', href: 'f-reviewMonths', message: 'Review the agreement every (months) must be a number, like 12 or 2.5' },
        { name: 'purposes', href: 'f-purposes', message: 'Purposes of sharing, line 2 must be 1,000 characters or fewer' },
      ]),
    );
    const view = formView(fields, state, errors);
    expect(view.find((v) => v.name === 'reviewMonths')).toMatchObject({
      value: 'twelve',
      error: 'Review the agreement every (months) must be a number, like 12 or 2.5',
      errorId: 'f-reviewMonths-error',
    });
    expect(view.find((v) => v.name === 'purposes')!.value).toBe(body.purposes);
  });

  it('maps a problem inside a keyed record to the key it is about', () => {
    const tor = STAGE_TEMPLATES['terms-of-reference'].stageDataSchema;
    const torFields = formFields(tor, keySets);
    const data = dataFromState(
      torFields,
      stateFromBody(torFields, {
        'votingRules.expulsion.threshold': 'most',
        noticeDays: '2.5',
        'censusDate.day': '31',
        'censusDate.month': '2',
        'censusDate.year': '2027',
      }),
    );
    const errors = fieldErrors(torFields, tor.safeParse(data).error!, data);
    expect(errors.find((e) => e.name === 'votingRules.expulsion.threshold')).toMatchObject({
      href: 'f-votingRules-expulsion-threshold',
      message: 'Expelling a member practice: select what carries a motion from the list',
    });
    expect(errors.find((e) => e.name === 'noticeDays')?.message).toBe('Notice of a board meeting (days) must be a whole number');
    expect(errors.find((e) => e.name === 'censusDate')).toMatchObject({
      href: 'f-censusDate-day',
      message: 'Date of the list-size census used for weighted votes must be a real date, like 16 3 2027',
    });
  });
});
