import { describe, expect, it } from 'vitest';
import { composeMail, mailTemplateNames, type MailData, type MailTemplate } from '../../../mail/compose';

/** One complete example of every message, so each template is rendered at least once. */
const EXAMPLES: { [T in MailTemplate]: MailData[T] } = {
  'signature-request': {
    name: 'Dr Ann Ali',
    networkName: 'Highway Network',
    documentTitle: 'Terms of Reference',
    documentVersion: 2,
    practiceName: 'Jubilee Street',
    rule: 'one partner of each practice sign',
    link: 'https://f.test/a/x',
    expiresAt: '2026-03-16T10:00:00.000Z',
    reminder: false,
  },
  'signature-delegated': {
    name: 'Dr Bo Bell',
    fromName: 'Dr Ann Ali',
    documentTitle: 'Terms of Reference',
    documentVersion: 2,
    practiceName: 'Jubilee Street',
    link: 'https://f.test/a/y',
  },
  'signing-code': { code: '123456', documentTitle: 'Terms of Reference', documentVersion: 2, practiceName: 'Jubilee Street' },
  'signature-declined': {
    signerName: 'Dr Ann Ali',
    practiceName: 'Jubilee Street',
    documentTitle: 'Terms of Reference',
    documentVersion: 2,
    reason: 'Clause 6 is wrong',
  },
  'round-expired': {
    networkName: 'Highway Network',
    documentTitle: 'Terms of Reference',
    documentVersion: 2,
    owedBy: ['Dr Ann Ali (Jubilee Street)', 'Dr Cy Cole (Harford)'],
  },
  'sealed-copy': {
    name: 'Dr Ann Ali',
    networkName: 'Highway Network',
    documentTitle: 'Terms of Reference',
    documentVersion: 2,
    link: 'https://f.test/s',
    sealedSha256: 'ab'.repeat(32),
    expiresAt: '2026-03-16T10:00:00.000Z',
  },
  'motion-ballot': {
    name: 'Dr Ann Ali',
    networkName: 'Highway Network',
    practiceName: 'Jubilee Street',
    title: 'Adopt the budget',
    ruleDescription: 'Simple majority.',
    closesAt: '2026-07-01T16:00:00.000Z',
    link: 'https://f.test/a/z',
  },
  'motion-reminder': {
    name: 'Dr Ann Ali',
    practiceName: 'Jubilee Street',
    title: 'Adopt the budget',
    closesAt: '2026-07-01T16:00:00.000Z',
    link: 'https://f.test/a/z',
  },
  'signin-link': { name: 'Dr Ann Ali', link: 'https://f.test/signin/x', expiresAt: '2026-03-16T10:15:00.000Z' },
  'staff-invitation': {
    name: 'Cleo Cole',
    role: 'commissioner',
    programmes: ['Tower Hamlets', 'Hackney'],
    invitedBy: 'Ada Admin',
    link: 'https://f.test/signin/y',
    expiresAt: '2026-03-23T10:00:00.000Z',
    signinUrl: 'https://f.test/signin',
  },
  'election-ballot': {
    name: 'Dr Ann Ali',
    networkName: 'Highway Network',
    practiceName: 'Jubilee Street',
    title: 'Shadow board',
    constituency: 'North',
    seats: 2,
    candidates: ['A', 'B', 'C'],
    closesAt: '2026-07-01T16:00:00.000Z',
    link: 'https://f.test/a/z',
  },
  'dispute-opened': {
    name: 'Dr Ann Ali',
    networkName: 'Highway Network',
    title: 'Sharing of the pharmacist',
    summary: 'Hours were not shared as agreed.',
    parties: ['Jubilee Street', 'Highway Practice'],
    stepName: 'Informal discussion',
    dueOn: '2026-12-30',
    limit: '10 working days',
    link: 'https://f.test/a/d',
  },
  'dispute-reminder': {
    name: 'Dr Ann Ali',
    networkName: 'Highway Network',
    title: 'Sharing of the pharmacist',
    stepName: 'Informal discussion',
    dueOn: '2026-12-30',
    link: 'https://f.test/a/d',
  },
  'dispute-escalated': {
    name: 'Dr Ann Ali',
    networkName: 'Highway Network',
    title: 'Sharing of the pharmacist',
    fromStep: 'Informal discussion',
    toStep: 'Network board',
    breach: true,
    dueOn: '2027-01-28',
    link: 'https://f.test/a/d',
  },
  'dispute-closed': {
    name: 'Dr Ann Ali',
    networkName: 'Highway Network',
    title: 'Sharing of the pharmacist',
    outcome: 'withdrawn',
    text: 'Settled between the practices.',
    link: 'https://f.test/a/d',
  },
  'dispute-external': {
    name: 'Ms Lee',
    networkName: 'Highway Network',
    title: 'Sharing of the pharmacist',
    role: 'LMC officer',
    stepName: 'Local Medical Committee',
    parties: ['Jubilee Street', 'Highway Practice'],
    summary: 'Hours were not shared as agreed.',
    dueOn: '2027-02-11',
    mayDetermine: true,
    link: 'https://f.test/a/x',
  },
  'risk-review': {
    name: 'Rahim Ali',
    networkName: 'Highway Network',
    title: 'Pharmacist leaves',
    score: 12,
    rating: 'medium',
    reviewOn: '2027-01-15',
    overdue: false,
    link: 'https://f.test/networks/n/disputes',
  },
  'panel-score-request': {
    name: 'Ms Jo Reed',
    networkName: 'Highway Network',
    waveNumber: 1,
    panelDate: '2009-03-16',
    criteria: ['Vision', 'Leadership'],
    link: 'https://f.test/a/p',
    expiresAt: '2009-04-15T10:00:00.000Z',
  },
  'panel-member-excluded': {
    name: 'Dr Ann Ali',
    networkName: 'Highway Network',
    waveNumber: 1,
    reason: 'a partner of Jubilee Street, a member practice of the network, may not score it',
  },
  'panel-outcome': {
    name: 'Dr Ann Ali',
    practiceName: 'Jubilee Street',
    networkName: 'Highway Network',
    outcome: 'conditional',
    outcomeWords: 'passed with conditions',
    reason: 'A strong vision; the payee is not yet agreed.',
    conditions: ['1. Name the nominated payee', '2. Appoint a Clinical Director'],
    toWaveNumber: null,
    toWavePanelDate: null,
    link: 'https://f.test/api/v1/documents/d/pdf?token=t',
    expiresAt: '2009-04-15T10:00:00.000Z',
  },
};

describe('mail templates', () => {
  it('has an example for every template file, and every example names a template file', () => {
    expect(mailTemplateNames().sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  it.each(Object.keys(EXAMPLES) as MailTemplate[])('renders %s with a one-line subject and the data it was given', (name) => {
    const mail = composeMail(name, EXAMPLES[name] as never);
    expect(mail.subject).not.toMatch(/\n|\{\{|undefined/);
    expect(mail.subject.length).toBeGreaterThan(5);
    expect(mail.text).not.toMatch(/\{\{|undefined|\[object/);
    const link = (EXAMPLES[name] as { link?: string }).link;
    if (link) expect(mail.text).toContain(link);
  });

  it('says dates and times in words and UK time, never as ISO strings', () => {
    const request = composeMail('signature-request', EXAMPLES['signature-request']);
    expect(request.text).toContain('works until 16 March 2026');
    const ballot = composeMail('motion-ballot', EXAMPLES['motion-ballot']);
    // 16:00 UTC on 1 July is 17:00 British Summer Time
    expect(ballot.text).toContain('1 July 2026, 17:00:00 BST');
    expect(ballot.text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('chooses words by the data: reminders, plurals and lists', () => {
    expect(composeMail('signature-request', { ...EXAMPLES['signature-request'], reminder: true }).subject).toBe(
      'Reminder: please sign: Terms of Reference (version 2) for Jubilee Street',
    );
    expect(composeMail('election-ballot', EXAMPLES['election-ballot']).text).toContain('is electing 2 members for North. Candidates: A, B and C.');
    expect(composeMail('election-ballot', { ...EXAMPLES['election-ballot'], seats: 1, candidates: [] }).text).toContain(
      'is electing 1 member for North. Candidates: none.',
    );
    expect(composeMail('round-expired', { ...EXAMPLES['round-expired'], owedBy: [] }).text).toContain('Still owed by: nobody.');
  });

  it('tells a dispute case in plain words: due dates, escalation by itself or on request, no limit', () => {
    const opened = composeMail('dispute-opened', EXAMPLES['dispute-opened']);
    expect(opened.text).toContain('between Jubilee Street and Highway Practice');
    expect(opened.text).toContain('Informal discussion, which has 10 working days: it is due by 30 December 2026.');
    expect(composeMail('dispute-reminder', EXAMPLES['dispute-reminder']).subject).toBe(
      'Reminder: Informal discussion step of "Sharing of the pharmacist" is due on 30 December 2026',
    );
    expect(composeMail('dispute-escalated', EXAMPLES['dispute-escalated']).text).toContain(
      'was not resolved by its due date, so the case has moved to the next step of the procedure by itself: Network board.',
    );
    const asked = composeMail('dispute-escalated', { ...EXAMPLES['dispute-escalated'], breach: false, toStep: 'Arbitration', dueOn: null });
    expect(asked.text).toContain('has moved from Informal discussion to the next step of the procedure: Arbitration.');
    expect(asked.text).toContain('This step has no time limit');
    expect(composeMail('dispute-external', { ...EXAMPLES['dispute-external'], mayDetermine: false }).text).toContain('record your view: https://f.test/a/x');
  });

  it('never puts a secret in a subject line: the outbox shows subjects to people who may not see codes or links', () => {
    expect(composeMail('signing-code', EXAMPLES['signing-code']).subject).not.toContain('123456');
    expect(composeMail('signing-code', EXAMPLES['signing-code']).text).toContain('123456');
    for (const name of Object.keys(EXAMPLES) as MailTemplate[]) {
      const link = (EXAMPLES[name] as { link?: string }).link;
      if (link) expect(composeMail(name, EXAMPLES[name] as never).subject).not.toContain(link);
    }
  });

  it('invites staff by name, role and programmes, with a link that works once', () => {
    const mail = composeMail('staff-invitation', EXAMPLES['staff-invitation']);
    expect(mail.subject).toBe('You are invited to Formwork as commissioner');
    expect(mail.text).toContain('Ada Admin has invited you to Formwork as commissioner for Tower Hamlets and Hackney.');
    expect(mail.text).toContain('It works once, until 23 March 2026');
  });

  it('words the panel outcome by its kind: conditions listed, a deferral names the next wave', () => {
    const conditional = composeMail('panel-outcome', EXAMPLES['panel-outcome']);
    expect(conditional.subject).toBe('Panel outcome for Highway Network: passed with conditions');
    expect(conditional.text).toContain('1. Name the nominated payee\n2. Appoint a Clinical Director');
    expect(conditional.text).not.toContain('moves to wave');
    const deferred = composeMail('panel-outcome', {
      ...EXAMPLES['panel-outcome'],
      outcome: 'defer',
      outcomeWords: 'deferred to the next wave',
      conditions: [],
      toWaveNumber: 2,
      toWavePanelDate: '2009-06-15',
    });
    expect(deferred.text).toContain('moves to wave 2 and presents again to its panel on 15 June 2009');
    expect(deferred.text).not.toContain('conditions are met');
  });

  it('refuses to send a message whose data lacks a value the template names', () => {
    const { link: _link, ...withoutLink } = EXAMPLES['sealed-copy'];
    expect(() => composeMail('sealed-copy', withoutLink as never)).toThrow(/link/);
  });

  it('does not HTML-escape plain-text mail', () => {
    expect(composeMail('signature-declined', { ...EXAMPLES['signature-declined'], reason: 'A & B <disagree>' }).text).toContain(
      'Their reason: A & B <disagree>',
    );
  });
});
