import type { ServerDeps } from '../deps';

/** Staff credentials as the pages see them. */
export function createAccessService(deps: Pick<ServerDeps, 'db' | 'repos'>) {
  const { db, repos } = deps;
  return {
    /** True when the secret is a staff API token that is neither revoked nor expired. */
    async isLiveApiToken(secret: string): Promise<boolean> {
      const token = secret ? await repos.tokens.apiTokenBySecret(db, secret) : null;
      return Boolean(token && !token.revokedAt && (!token.expiresAt || Date.parse(token.expiresAt) > Date.now()));
    },
  };
}
