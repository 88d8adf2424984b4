import type { Request } from 'express';
import type { Knex } from 'knex';
import type { Repos } from '../db/repos';
import { AppError } from './errors';
import type { Access, StaffPrincipal } from './route';

export const STAFF_COOKIE = 'fw_staff';

/** Reads the staff credential: a bearer token (scripts) or the httpOnly sign-in cookie (pages). */
function credential(req: Request): string | null {
  const header = req.get('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new AppError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>".');
    return match[1];
  }
  const cookie = (req.cookies as Record<string, string> | undefined)?.[STAFF_COOKIE];
  return cookie || null;
}

/**
 * Least privilege per role: facilitators may change things; commissioners read. Token routes
 * authenticate by their action token inside the service, so they need no staff credential.
 */
export function createAuthenticator(db: Knex, repos: Repos) {
  return async function authenticate(req: Request, access: Access): Promise<StaffPrincipal | null> {
    const secret = credential(req);
    if (!secret) {
      if (access === 'staff' || access === 'facilitator') throw new AppError('UNAUTHENTICATED', 'This needs a staff API token: send "Authorization: Bearer <token>".');
      return null;
    }
    const token = await repos.tokens.apiTokenBySecret(db, secret);
    const live = token && !token.revokedAt && (!token.expiresAt || Date.parse(token.expiresAt) > Date.now());
    if (!token || !live) {
      if (access === 'staff' || access === 'facilitator') throw new AppError('UNAUTHENTICATED', 'The API token is not valid, has expired or was revoked.');
      return null;
    }
    if (access === 'facilitator' && token.role !== 'facilitator') throw new AppError('FORBIDDEN', 'Only a facilitator may do this.');
    return { tokenId: token.id, name: token.name, role: token.role };
  };
}
