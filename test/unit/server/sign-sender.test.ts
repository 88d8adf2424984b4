import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../server/errors';
import { createSignSender } from '../../../server/services/sign-sender';
import type { SignatureReceipt, SignInput, SignOutcome } from '../../../workflows/messages';

const attempt = (personId: string): SignInput => ({
  personId,
  tokenId: `token-${personId}`,
  documentVersion: 1,
  typedName: `Dr ${personId}`,
  consent: true,
  consentVersion: 'v1',
  method: 'action-link',
  ip: null,
  userAgent: null,
});

const receiptOf = (personId: string): SignatureReceipt => ({
  signatureId: `sig-${personId}`,
  capacity: 'partner',
  documentId: 'doc',
  documentVersion: 1,
  documentSha256: 'abc',
  practiceId: `practice-${personId}`,
  practiceName: 'Practice',
  signedBy: `Dr ${personId}`,
  signedAt: '2027-01-01T00:00:00.000Z',
  roundComplete: false,
});

type Call = { workflowId: string; update: string; args: unknown[] };

/**
 * A stand-in for the Temporal client's workflow handles: records each update sent and answers it
 * when the test says so, with what `answer` gives for it.
 */
function fakeTemporal(answer: (call: Call) => unknown) {
  const calls: Call[] = [];
  const pending: (() => void)[] = [];
  const temporal = {
    workflow: {
      getHandle: (workflowId: string) => ({
        executeUpdate: (def: string | { name: string }, options: { args: unknown[] }) =>
          new Promise((resolve, reject) => {
            const call = { workflowId, update: typeof def === 'string' ? def : def.name, args: options.args };
            calls.push(call);
            pending.push(() => {
              try {
                resolve(answer(call));
              } catch (err) {
                reject(err);
              }
            });
          }),
      }),
    },
  };
  const answerAll = async () => {
    while (pending.length) pending.shift()!();
    await new Promise((r) => setImmediate(r));
  };
  return { temporal: temporal as unknown as Parameters<typeof createSignSender>[0], calls, answerAll };
}

const tick = () => new Promise((r) => setImmediate(r));

/** Answers a `signMany` with a receipt for everyone but `refuse`, who is told the practice has signed. */
const signMany =
  (refuse = '') =>
  (call: Call): SignOutcome[] =>
    (call.args[0] as SignInput[]).map((a) =>
      a.personId === refuse ? { refused: { code: 'ALREADY_SIGNED', message: 'Your practice has already signed.' } } : { receipt: receiptOf(a.personId) },
    );

describe('sending signatures to their round', () => {
  it('sends a lone signature at once, and those arriving meanwhile together in the next update', async () => {
    const { temporal, calls, answerAll } = fakeTemporal(signMany());
    const send = createSignSender(temporal);
    const first = send('round-1', attempt('a'));
    await tick();
    expect(calls.map((c) => (c.args[0] as SignInput[]).map((a) => a.personId))).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map((p) => send('round-1', attempt(p)));
    await tick();
    // nothing more goes while the first update is in flight
    expect(calls).toHaveLength(1);
    await answerAll();
    expect((await first).signatureId).toBe('sig-a');
    await tick();
    expect(calls.map((c) => (c.args[0] as SignInput[]).map((a) => a.personId))).toEqual([['a'], ['b', 'c', 'd']]);
    expect(calls.every((c) => c.update === 'signMany' && c.workflowId === 'round-1')).toBe(true);
    await answerAll();
    // each signer gets their own receipt
    expect((await Promise.all(rest)).map((r) => r.signatureId)).toEqual(['sig-b', 'sig-c', 'sig-d']);
  });

  it('keeps rounds apart: signatures to different rounds never share an update', async () => {
    const { temporal, calls, answerAll } = fakeTemporal(signMany());
    const send = createSignSender(temporal);
    const answers = [send('round-1', attempt('a')), send('round-2', attempt('b')), send('round-1', attempt('c'))];
    await tick();
    expect(calls.map((c) => [c.workflowId, (c.args[0] as SignInput[]).map((a) => a.personId)])).toEqual([
      ['round-1', ['a', 'c']],
      ['round-2', ['b']],
    ]);
    await answerAll();
    expect((await Promise.all(answers)).map((r) => r.signatureId)).toEqual(['sig-a', 'sig-b', 'sig-c']);
  });

  it('answers a refused signature with its own error and the others with their receipts', async () => {
    const { temporal, answerAll } = fakeTemporal(signMany('b'));
    const send = createSignSender(temporal);
    const answers = ['a', 'b', 'c'].map((p) => send('round-1', attempt(p)).catch((err: unknown) => err));
    await tick();
    await answerAll();
    const [a, b, c] = await Promise.all(answers);
    expect((a as SignatureReceipt).signatureId).toBe('sig-a');
    expect(b).toBeInstanceOf(AppError);
    expect((b as AppError).code).toBe('ALREADY_SIGNED');
    expect((c as SignatureReceipt).signatureId).toBe('sig-c');
  });

  it('tells a signer whose write failed to try again, and a failed call reaches every signer it carried', async () => {
    const { temporal, answerAll } = fakeTemporal((call) => {
      const attempts = call.args[0] as SignInput[];
      if (attempts.some((a) => a.personId === 'x')) throw new Error('connection lost');
      return attempts.map((): SignOutcome => ({ unrecorded: { message: 'activity failed' } }));
    });
    const send = createSignSender(temporal);
    const unrecorded = send('round-1', attempt('a')).catch((err: unknown) => err);
    await tick();
    const failed = ['x', 'y'].map((p) => send('round-1', attempt(p)).catch((err: unknown) => err));
    await answerAll();
    await tick();
    await answerAll();
    expect((await unrecorded) as AppError).toMatchObject({ code: 'UNAVAILABLE' });
    expect((await Promise.all(failed)).map((e) => (e as Error).message)).toEqual(['connection lost', 'connection lost']);
  });

  it('sends one update each to a worker that does not know the combined update yet', async () => {
    const { temporal, calls, answerAll } = fakeTemporal((call) => {
      if (call.update === 'signMany')
        throw new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.nonRetryable('No registered handler for update: signMany'));
      const { personId } = call.args[0] as SignInput;
      if (personId === 'b')
        throw new WorkflowUpdateFailedError(
          'Workflow Update failed',
          ApplicationFailure.create({ type: 'NAME_MISMATCH', message: 'The typed name must be your full name.', nonRetryable: true }),
        );
      return receiptOf(personId);
    });
    const send = createSignSender(temporal);
    const answers = ['a', 'b'].map((p) => send('round-1', attempt(p)).catch((err: unknown) => err));
    await tick();
    await answerAll();
    await tick();
    await answerAll();
    expect(calls.map((c) => c.update)).toEqual(['signMany', 'sign', 'sign']);
    const [a, b] = await Promise.all(answers);
    expect((a as SignatureReceipt).signatureId).toBe('sig-a');
    expect(b as AppError).toMatchObject({ code: 'NAME_MISMATCH', message: 'The typed name must be your full name.' });
  });
});
