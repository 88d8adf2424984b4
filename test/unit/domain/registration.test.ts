import { describe, expect, it } from 'vitest';
import { namedInStageData, registrationChecklist, type RegistrationInput } from '../../../domain/registration';

const base: RegistrationInput = {
  practices: [
    { name: 'Jubilee Street', odsCode: 'F84001' },
    { name: 'Harford', odsCode: 'F84002' },
  ],
  listSize: 30000,
  footprint: { minListSize: 24000, maxListSize: 40000 },
  clinicalDirector: null,
  nominatedPayee: null,
  termsOfReference: null,
  dataSharing: null,
};

describe('registrationChecklist', () => {
  it('lists the six registration items, each with its evidence or what is missing', () => {
    const items = registrationChecklist(base);
    expect(items.map((i) => [i.key, i.met])).toEqual([
      ['ods-codes', true],
      ['list-size', true],
      ['clinical-director', false],
      ['nominated-payee', false],
      ['terms-of-reference-signed', false],
      ['data-sharing-signed', false],
    ]);
    expect(items[2]).toMatchObject({ evidence: null, detail: 'No Clinical Director is named in the panel pack or the terms of reference.' });
  });

  it('points at the sealed PDF of a signed agreement and at the stage data field that names a person', () => {
    const items = registrationChecklist({
      ...base,
      clinicalDirector: { stage: 'panel-presentation', field: 'clinicalDirector', value: 'Dr Ann Ali' },
      termsOfReference: { sealedId: 's1', version: 2 },
    });
    expect(items.find((i) => i.key === 'clinical-director')).toMatchObject({
      met: true,
      detail: 'Dr Ann Ali',
      evidence: { kind: 'stage-data', stage: 'panel-presentation', field: 'clinicalDirector' },
    });
    expect(items.find((i) => i.key === 'terms-of-reference-signed')).toMatchObject({
      met: true,
      evidence: { kind: 'sealed-pdf', sealedId: 's1', version: 2, stage: 'terms-of-reference' },
    });
  });

  it('wants practice ODS codes in their format, and a list size in the footprint', () => {
    const items = registrationChecklist({ ...base, practices: [{ name: 'Odd', odsCode: 'A1' }], listSize: 20000 });
    expect(items[0]).toMatchObject({ met: false, detail: 'Not a practice ODS code: Odd (A1).' });
    expect(items[1]).toMatchObject({ met: false, detail: '20,000 patients against a footprint of 24,000–40,000; an exception must be agreed.' });
  });
});

describe('namedInStageData', () => {
  it('takes the first stage that names the field, skipping blanks', () => {
    const stages = [
      { stage: 'panel-presentation', data: { clinicalDirector: '  ' } },
      { stage: 'terms-of-reference', data: { clinicalDirector: 'Dr Bo Bell' } },
    ];
    expect(
      namedInStageData(stages, [
        { stage: 'panel-presentation', field: 'clinicalDirector' },
        { stage: 'terms-of-reference', field: 'clinicalDirector' },
      ]),
    ).toEqual({ stage: 'terms-of-reference', field: 'clinicalDirector', value: 'Dr Bo Bell' });
    expect(namedInStageData([], [{ stage: 'panel-presentation', field: 'clinicalDirector' }])).toBeNull();
  });
});
