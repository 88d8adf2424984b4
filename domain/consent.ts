/**
 * The consent to sign electronically that a signer agrees to. Versioned: every signature records
 * the version it was given under, so the wording can change without rewriting history.
 */
export const CONSENT = {
  version: '2026-11-v1',
  text:
    'I agree to sign this document electronically. I understand that typing my full name and selecting ' +
    '"Sign" has the same effect as my handwritten signature, that I am signing on behalf of my practice, ' +
    'and that a record of this signature (including the time, my IP address and my browser) will be kept ' +
    'as evidence.',
} as const;
