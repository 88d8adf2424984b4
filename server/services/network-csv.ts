import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { ROLE_WORDS } from '../../domain/wording';
import { createNetworkBody, ROLES } from '../schemas';

/**
 * Networks from a spreadsheet: one row per person, naming their network and practice. Pure (no
 * database): it reads the file, checks every row and the file as a whole, and says what would be
 * created or, row by row and column by column, what is wrong. What already exists in the programme
 * is checked by the import service.
 */

/** The columns, in the order of the example file, with what each holds (shown on the upload page). */
export const CSV_COLUMNS = [
  { key: 'network', heading: 'Network', what: 'The network’s name. Rows with the same network name make one network.', example: 'Bethnal Green Network' },
  { key: 'practice', heading: 'Practice', what: 'The practice’s name, the same on every row of that practice.', example: 'Mile End Surgery' },
  { key: 'ods_code', heading: 'ODS code', what: 'The practice’s ODS code: capital letters and digits, such as F84001.', example: 'F84001' },
  { key: 'list_size', heading: 'List size', what: 'Registered patients of the practice, a whole number (12,480 or 12480).', example: '12480' },
  { key: 'name', heading: 'Name', what: 'The person’s full name, as they will sign.', example: 'Dr Asha Patel' },
  { key: 'email', heading: 'Email', what: 'The person’s email address. Each person appears once in the file.', example: 'asha.patel@nhs.net' },
  {
    key: 'roles',
    heading: 'Roles',
    what: `One or more of: ${Object.values(ROLE_WORDS).join(', ')}, separated by semicolons. Every practice needs at least one partner to sign for it.`,
    example: 'Partner; Caldicott guardian',
  },
] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number]['key'];

/** A file anyone can start from: two practices of one network. */
export const EXAMPLE_CSV = [
  'Network,Practice,ODS code,List size,Name,Email,Roles',
  'Bethnal Green Network,Mile End Surgery,F84001,12480,Dr Asha Patel,asha.patel@nhs.net,Partner; Caldicott guardian',
  'Bethnal Green Network,Mile End Surgery,F84001,12480,Tom Reid,tom.reid@nhs.net,Practice manager',
  'Bethnal Green Network,Globe Town Practice,F84002,9350,Dr Ben Okafor,ben.okafor@nhs.net,Partner; Chair',
  '',
].join('\r\n');

/** The most rows one upload may hold (250 practices of a few people each fit easily). */
export const MAX_ROWS = 2000;

export interface CsvProblem {
  /** the spreadsheet row (the header is row 1); null for a problem with the file as a whole */
  row: number | null;
  column: string | null;
  message: string;
}

export type NetworkInput = Omit<z.infer<typeof createNetworkBody>, 'programmeId' | 'waveId'>;

/** A network ready to create, with the spreadsheet row of each practice and person (for messages and the preview). */
export interface ParsedNetwork extends NetworkInput {
  rows: { practices: number[]; people: number[][] };
}

const ALIASES: Record<string, CsvColumn> = {
  network: 'network',
  network_name: 'network',
  practice: 'practice',
  practice_name: 'practice',
  ods_code: 'ods_code',
  ods: 'ods_code',
  practice_code: 'ods_code',
  list_size: 'list_size',
  registered_patients: 'list_size',
  patients: 'list_size',
  name: 'name',
  person: 'name',
  person_name: 'name',
  full_name: 'name',
  email: 'email',
  email_address: 'email',
  roles: 'roles',
  role: 'roles',
};

const headingOf = (key: CsvColumn) => CSV_COLUMNS.find((c) => c.key === key)!.heading;

function columnKey(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

const ROLE_BY_WORD = new Map<string, (typeof ROLES)[number]>([
  ...ROLES.map((r) => [r, r] as const),
  ...Object.entries(ROLE_WORDS).map(([code, words]) => [words.toLowerCase(), code as (typeof ROLES)[number]] as const),
  ['dpo', 'dpo'],
  ['data protection officer', 'dpo'],
]);

function parseRoles(text: string): { roles: (typeof ROLES)[number][]; unknown: string[] } {
  const words = text
    .split(/[;|]/)
    .map((w) => w.trim().toLowerCase().replace(/\s+/g, ' '))
    .filter(Boolean);
  const roles: (typeof ROLES)[number][] = [];
  const unknown: string[] = [];
  for (const w of words) {
    const role = ROLE_BY_WORD.get(w) ?? ROLE_BY_WORD.get(w.replace(/ /g, '-'));
    if (!role) unknown.push(w);
    else if (!roles.includes(role)) roles.push(role);
  }
  return { roles, unknown };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ODS = /^[A-Z0-9]{3,10}$/;

/**
 * Reads a CSV of people into networks. Every problem found is returned (not only the first), each
 * naming its row and column; `networks` is empty whenever there is any problem.
 */
export function parseNetworkCsv(text: string): { networks: ParsedNetwork[]; problems: CsvProblem[]; rows: number } {
  let records: { record: Record<string, string>; info: { lines: number; error?: unknown } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => ALIASES[columnKey(h)] ?? columnKey(h)),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
      trim: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as never;
  } catch (err) {
    const e = err as { code?: string; lines?: number };
    const why = e.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quotation mark is opened and never closed' : 'it is not a comma-separated (CSV) file';
    return {
      networks: [],
      problems: [
        { row: e.lines ?? null, column: null, message: `The file could not be read: ${why}. Save the spreadsheet as “CSV (comma delimited)” and upload that.` },
      ],
      rows: 0,
    };
  }
  const problems: CsvProblem[] = [];
  if (records.length === 0)
    return { networks: [], problems: [{ row: null, column: null, message: 'The file has no rows of people under its header row.' }], rows: 0 };
  if (records.length > MAX_ROWS)
    return {
      networks: [],
      problems: [
        {
          row: null,
          column: null,
          message: `The file has ${records.length.toLocaleString('en-GB')} rows; upload at most ${MAX_ROWS.toLocaleString('en-GB')} at a time.`,
        },
      ],
      rows: records.length,
    };
  const present = new Set(Object.keys(records[0].record));
  const missing = CSV_COLUMNS.filter((c) => !present.has(c.key));
  if (missing.length) {
    return {
      networks: [],
      problems: [
        {
          row: 1,
          column: null,
          message: `The header row has no ${missing.map((c) => `“${c.heading}”`).join(', ')} column${missing.length > 1 ? 's' : ''}. The columns are: ${CSV_COLUMNS.map((c) => c.heading).join(', ')}.`,
        },
      ],
      rows: records.length,
    };
  }

  type Practice = {
    name: string;
    odsCode: string;
    listSize: number;
    network: string;
    firstRow: number;
    people: { name: string; email: string; roles: (typeof ROLES)[number][]; row: number }[];
  };
  const networks = new Map<string, { name: string; practices: Map<string, Practice> }>();
  const practiceByOds = new Map<string, Practice>();
  const emailRow = new Map<string, number>();
  // practices with a row in error are not also said to lack a partner (that row may be the partner)
  const failedOds = new Set<string>();

  for (const { record, info } of records) {
    const row = info.lines;
    const problem = (column: CsvColumn | null, message: string) => problems.push({ row, column: column ? headingOf(column) : null, message });
    if (info.error) problem(null, 'This row has more cells than the header row has columns.');
    const cell = (key: CsvColumn) => String(record[key] ?? '').trim();
    const network = cell('network');
    const practiceName = cell('practice');
    const odsCode = cell('ods_code').toUpperCase();
    const listSizeText = cell('list_size').replace(/[,\s]/g, '');
    const name = cell('name');
    const email = cell('email').toLowerCase();
    const { roles, unknown } = parseRoles(cell('roles'));
    let ok = true;
    const fail = (column: CsvColumn, message: string) => {
      ok = false;
      problem(column, message);
    };
    if (!network) fail('network', 'Enter the network’s name.');
    if (!practiceName) fail('practice', 'Enter the practice’s name.');
    if (!odsCode) fail('ods_code', 'Enter the practice’s ODS code.');
    else if (!ODS.test(odsCode)) fail('ods_code', `“${cell('ods_code')}” is not an ODS code: use capital letters and digits, such as F84001.`);
    const listSize = Number(listSizeText);
    if (!listSizeText) fail('list_size', 'Enter the practice’s list size.');
    else if (!/^\d+$/.test(listSizeText) || listSize > 1_000_000)
      fail('list_size', `“${cell('list_size')}” is not a list size: enter a whole number of patients up to 1,000,000.`);
    if (!name) fail('name', 'Enter the person’s full name.');
    if (!email) fail('email', 'Enter the person’s email address.');
    else if (!EMAIL.test(email) || email.length > 320) fail('email', `“${cell('email')}” is not an email address.`);
    if (unknown.length)
      fail(
        'roles',
        `${unknown.map((u) => `“${u}”`).join(', ')} ${unknown.length > 1 ? 'are not roles' : 'is not a role'}: use ${Object.values(ROLE_WORDS).join(', ')}.`,
      );
    else if (roles.length === 0) fail('roles', 'Enter at least one role, such as Partner.');
    if (email && emailRow.has(email)) fail('email', `${email} is already in row ${emailRow.get(email)}: each person appears once in the file.`);
    else if (email) emailRow.set(email, row);
    if (!ok) {
      failedOds.add(odsCode);
      continue;
    }

    let practice = practiceByOds.get(odsCode);
    if (practice) {
      if (practice.network.toLowerCase() !== network.toLowerCase()) {
        problem('ods_code', `ODS code ${odsCode} is already a practice of ${practice.network} in row ${practice.firstRow}: a practice belongs to one network.`);
        continue;
      }
      if (practice.name !== practiceName)
        problem('practice', `ODS code ${odsCode} is “${practice.name}” in row ${practice.firstRow}: give the practice the same name on every row.`);
      if (practice.listSize !== listSize)
        problem(
          'list_size',
          `${practice.name} has a list size of ${practice.listSize.toLocaleString('en-GB')} in row ${practice.firstRow}: give the same list size on every row.`,
        );
    } else {
      let group = networks.get(network.toLowerCase());
      if (!group) networks.set(network.toLowerCase(), (group = { name: network, practices: new Map() }));
      const sameName = [...group.practices.values()].find((p) => p.name.toLowerCase() === practiceName.toLowerCase());
      if (sameName) {
        problem('ods_code', `${practiceName} has ODS code ${sameName.odsCode} in row ${sameName.firstRow}: give a practice one ODS code.`);
        continue;
      }
      practice = { name: practiceName, odsCode, listSize, network: group.name, firstRow: row, people: [] };
      practiceByOds.set(odsCode, practice);
      group.practices.set(odsCode, practice);
    }
    practice.people.push({ name, email, roles, row });
  }

  for (const practice of practiceByOds.values()) {
    if (!failedOds.has(practice.odsCode) && !practice.people.some((p) => p.roles.includes('partner'))) {
      problems.push({
        row: practice.firstRow,
        column: headingOf('roles'),
        message: `${practice.name} has no partner: give at least one of its people the role Partner, so someone can sign for it.`,
      });
    }
  }

  const parsed: ParsedNetwork[] = [...networks.values()].map((n) => {
    const practices = [...n.practices.values()];
    return {
      name: n.name,
      practices: practices.map((p) => ({
        name: p.name,
        odsCode: p.odsCode,
        listSize: p.listSize,
        people: p.people.map(({ name, email, roles }) => ({ name, email, roles })),
      })),
      rows: { practices: practices.map((p) => p.firstRow), people: practices.map((p) => p.people.map((x) => x.row)) },
    };
  });
  // the API's own rules (lengths, characters a document cannot hold) as the last word, mapped to rows
  for (const network of problems.length ? [] : parsed) {
    const checked = createNetworkBody.safeParse({ programmeId: 'p', waveId: 'w', name: network.name, practices: network.practices });
    if (checked.success) continue;
    for (const issue of checked.error.issues) {
      const [, i, , j, field] = issue.path as (string | number)[];
      const row = typeof j === 'number' ? network.rows.people[Number(i)]?.[j] : typeof i === 'number' ? network.rows.practices[i] : network.rows.practices[0];
      const column =
        issue.path[0] === 'name'
          ? 'network'
          : typeof j === 'number'
            ? (String(field) as CsvColumn)
            : typeof issue.path[2] === 'string'
              ? issue.path[2] === 'odsCode'
                ? 'ods_code'
                : issue.path[2] === 'listSize'
                  ? 'list_size'
                  : issue.path[2] === 'name'
                    ? 'practice'
                    : null
              : null;
      problems.push({
        row: row ?? null,
        column: column && CSV_COLUMNS.some((c) => c.key === column) ? headingOf(column as CsvColumn) : null,
        message: issue.message,
      });
    }
  }
  problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  return { networks: problems.length ? [] : parsed, problems, rows: records.length };
}
