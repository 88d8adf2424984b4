import { describe, expect, it } from 'vitest';
import { extensionRefusal, proxyAppointmentRefusal, validateBallot } from '../../../../domain/voting/ballot';
import { makeElectorate, makeRule } from './fixtures';

/** The rules the vote workflow's validators apply before they accept a ballot, a proxy or an extension. */
describe('motion validator rules', () => {
  const electorate = makeElectorate(3);
  const rule = makeRule('ordinary');

  it('refuses a ballot cast for a practice that did not appoint the caster, once appointments are known', () => {
    const ballot = { voterId: 'v1', proxyFor: 'v2', choice: 'for' as const };
    expect(validateBallot(electorate, [], ballot, rule, { appointedProxies: {} })).toMatchObject({ ok: false, reason: 'PROXY_NOT_APPOINTED' });
    expect(validateBallot(electorate, [], ballot, rule, { appointedProxies: { v2: 'v3' } })).toMatchObject({ ok: false, reason: 'PROXY_NOT_APPOINTED' });
    expect(validateBallot(electorate, [], ballot, rule, { appointedProxies: { v2: 'v1' } })).toEqual({ ok: true });
    // the tally, which does not know appointments, still counts such a ballot
    expect(validateBallot(electorate, [], ballot, rule)).toEqual({ ok: true });
    // a rule without proxies says so first
    expect(validateBallot(electorate, [], ballot, makeRule('ordinary', { proxies: false }), { appointedProxies: {} })).toMatchObject({
      ok: false,
      reason: 'PROXY_NOT_ALLOWED',
    });
  });

  it('lets a practice appoint one proxy from the electorate, before it votes', () => {
    const none = () => false;
    expect(proxyAppointmentRefusal(electorate, rule, {}, none, 'v1', 'v2')).toBeUndefined();
    expect(proxyAppointmentRefusal(electorate, makeRule('ordinary', { proxies: false }), {}, none, 'v1', 'v2')?.reason).toBe('PROXY_NOT_ALLOWED');
    expect(proxyAppointmentRefusal(electorate, rule, {}, none, 'v1', 'v1')?.reason).toBe('PROXY_FOR_SELF');
    expect(proxyAppointmentRefusal(electorate, rule, {}, none, 'x', 'v2')?.reason).toBe('PROXY_PRINCIPAL_NOT_IN_ELECTORATE');
    expect(proxyAppointmentRefusal(electorate, rule, {}, none, 'v1', 'x')?.reason).toBe('NOT_IN_ELECTORATE');
    expect(proxyAppointmentRefusal(electorate, rule, { v1: 'v3' }, none, 'v1', 'v2')?.reason).toBe('ALREADY_APPOINTED');
    expect(proxyAppointmentRefusal(electorate, rule, {}, (p) => p === 'v1', 'v1', 'v2')?.reason).toBe('ALREADY_VOTED');
  });

  it('extends only to a later time that is still in the future', () => {
    const closesAt = '2027-01-10T12:00:00.000Z';
    const now = Date.parse('2027-01-05T12:00:00.000Z');
    expect(extensionRefusal(closesAt, '2027-01-11T12:00:00.000Z', now)).toBeUndefined();
    expect(extensionRefusal(closesAt, closesAt, now)?.reason).toBe('INVALID_EXTENSION');
    expect(extensionRefusal(closesAt, '2027-01-09T12:00:00.000Z', now)?.reason).toBe('INVALID_EXTENSION');
    expect(extensionRefusal(closesAt, 'not a date', now)?.reason).toBe('INVALID_EXTENSION');
    // a window that has run out (its timer not yet fired) cannot be revived into the past
    expect(extensionRefusal(closesAt, '2027-01-11T12:00:00.000Z', Date.parse('2027-01-12T00:00:00.000Z'))?.reason).toBe('INVALID_EXTENSION');
  });
});
