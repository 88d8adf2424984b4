import { describe, expect, it } from 'vitest';
import { EXAMPLE_CSV, parseNetworkCsv } from '../../../server/services/network-csv';

const HEADER = 'Network,Practice,ODS code,List size,Name,Email,Roles';

/** Networks from a spreadsheet: what is read, and every problem named by row and column. */
describe('parseNetworkCsv', () => {
  it('reads the example file into one network of two practices, with roles in words or codes', () => {
    const { networks, problems, rows } = parseNetworkCsv(EXAMPLE_CSV);
    expect(problems).toEqual([]);
    expect(rows).toBe(3);
    expect(networks).toHaveLength(1);
    expect(networks[0].name).toBe('Bethnal Green Network');
    expect(networks[0].practices.map((p) => [p.odsCode, p.listSize, p.people.map((x) => x.roles)])).toEqual([
      ['F84001', 12480, [['partner', 'caldicott-guardian'], ['practice-manager']]],
      ['F84002', 9350, [['partner', 'chair']]],
    ]);
    expect(networks[0].rows).toEqual({ practices: [2, 4], people: [[2, 3], [4]] });
    // headers in another order and spelling, separators in numbers, codes for roles
    const other = parseNetworkCsv(
      'email,ROLES,name,list_size,ods,practice name,network name\nann@x.org,partner;dpo,Dr Ann,"12,000",f84003,Ann Practice,North\n',
    );
    expect(other.problems).toEqual([]);
    expect(other.networks[0].practices[0]).toEqual({
      name: 'Ann Practice',
      odsCode: 'F84003',
      listSize: 12000,
      people: [{ name: 'Dr Ann', email: 'ann@x.org', roles: ['partner', 'dpo'] }],
    });
  });

  it('refuses a duplicate email and a bad ODS code, naming the rows and columns, and returns no networks', () => {
    const csv = [
      HEADER,
      'N,A Practice,F84001,100,Dr A,a@x.org,Partner',
      'N,B Practice,F8-4002,100,Dr B,b@x.org,Partner',
      'N,A Practice,F84001,100,Dr C,A@X.org,Partner',
    ].join('\n');
    const { networks, problems } = parseNetworkCsv(csv);
    expect(networks).toEqual([]);
    expect(problems).toEqual([
      { row: 3, column: 'ODS code', message: '“F8-4002” is not an ODS code: use capital letters and digits, such as F84001.' },
      { row: 4, column: 'Email', message: 'a@x.org is already in row 2: each person appears once in the file.' },
    ]);
  });

  it('refuses a practice in two networks, disagreeing rows, a practice without a partner, and unknown roles', () => {
    const csv = [
      HEADER,
      'North,A Practice,F84001,100,Dr A,a@x.org,Partner',
      'South,A Practice,F84001,100,Dr B,b@x.org,Partner',
      'North,A Practice,F84001,200,Dr C,c@x.org,Partner',
      'North,B Practice,F84002,100,Mr D,d@x.org,Practice manager',
      'North,B Practice,F84002,100,Mr E,e@x.org,Boss',
      'North,C Practice,F84003,100,Mr F,f@x.org,Practice manager',
    ].join('\n');
    const { problems } = parseNetworkCsv(csv);
    expect(problems.map((p) => [p.row, p.column])).toEqual([
      [3, 'ODS code'],
      [4, 'List size'],
      [6, 'Roles'],
      [7, 'Roles'],
    ]);
    expect(problems[0].message).toBe('ODS code F84001 is already a practice of North in row 2: a practice belongs to one network.');
    expect(problems[2].message).toContain('“boss” is not a role');
    // B Practice's partner may be the row in error, so only C Practice is said to lack one
    expect(problems[3].message).toContain('C Practice has no partner');
  });

  it('says what is wrong with the file as a whole: missing columns, no rows, not CSV', () => {
    expect(parseNetworkCsv('Network,Practice\nN,P\n').problems[0]).toMatchObject({
      row: 1,
      message: expect.stringContaining('no “ODS code”, “List size”, “Name”, “Email”, “Roles” columns'),
    });
    expect(parseNetworkCsv(`${HEADER}\n`).problems[0].message).toBe('The file has no rows of people under its header row.');
    expect(parseNetworkCsv(`${HEADER}\nN,"P,F1,1,a,b,c\n`).problems[0].message).toContain('a quotation mark is opened and never closed');
  });
});
