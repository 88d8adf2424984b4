import type { AccessScope } from '../../domain/access/actions';
import type { Executor } from './executor';

/**
 * Where each kind of resource stands: its programme and network (and, for documents and rounds,
 * which document and round it is, so an action link for it can be recognised). One query per
 * lookup; null when there is no such id. Used by the route layer's scope resolver only.
 */
export function createScopesRepo() {
  async function network(db: Executor, id: string): Promise<AccessScope | null> {
    const r = await db('networks').where({ id }).first('id', 'programme_id');
    return r ? { programmeId: String(r.programme_id), networkId: String(r.id) } : null;
  }

  return {
    async programme(db: Executor, id: string): Promise<AccessScope | null> {
      const r = await db('programmes').where({ id }).first('id');
      return r ? { programmeId: String(r.id), networkId: null } : null;
    },
    async wave(db: Executor, id: string): Promise<AccessScope | null> {
      const r = await db('waves').where({ id }).first('programme_id');
      return r ? { programmeId: String(r.programme_id), networkId: null } : null;
    },
    network,
    async document(db: Executor, id: string): Promise<AccessScope | null> {
      const r = await db('documents')
        .join('networks', 'networks.id', 'documents.network_id')
        .where('documents.id', id)
        .first('documents.id as id', 'networks.id as network_id', 'networks.programme_id as programme_id');
      return r ? { programmeId: String(r.programme_id), networkId: String(r.network_id), documentId: String(r.id) } : null;
    },
    async signoff(db: Executor, id: string): Promise<AccessScope | null> {
      const r = await db('signoffs')
        .join('networks', 'networks.id', 'signoffs.network_id')
        .where('signoffs.id', id)
        .first('signoffs.id as id', 'signoffs.document_id as document_id', 'networks.id as network_id', 'networks.programme_id as programme_id');
      return r ? { programmeId: String(r.programme_id), networkId: String(r.network_id), signoffId: String(r.id), documentId: String(r.document_id) } : null;
    },
    async sealed(db: Executor, id: string): Promise<AccessScope | null> {
      const r = await db('sealed_documents')
        .join('signoffs', 'signoffs.id', 'sealed_documents.signoff_id')
        .join('networks', 'networks.id', 'signoffs.network_id')
        .where('sealed_documents.id', id)
        .first(
          'signoffs.id as signoff_id',
          'sealed_documents.document_id as document_id',
          'networks.id as network_id',
          'networks.programme_id as programme_id',
        );
      return r
        ? { programmeId: String(r.programme_id), networkId: String(r.network_id), signoffId: String(r.signoff_id), documentId: String(r.document_id) }
        : null;
    },
    async motion(db: Executor, id: string): Promise<AccessScope | null> {
      const r = await db('motions').where({ id }).first('network_id');
      return r ? network(db, String(r.network_id)) : null;
    },
    async election(db: Executor, id: string): Promise<AccessScope | null> {
      const r = await db('elections').where({ id }).first('network_id');
      return r ? network(db, String(r.network_id)) : null;
    },
    /** A staff grant spans the programmes it covers (revoked ones included: revoking twice is not a 404). */
    async grant(db: Executor, id: string): Promise<AccessScope | null> {
      const r = await db('grants').where({ id }).first('id');
      if (!r) return null;
      const programmeIds = (await db('grant_programmes').where({ grant_id: id }).orderBy('programme_id').select('programme_id')).map((x) =>
        String(x.programme_id),
      );
      return { programmeId: null, networkId: null, programmeIds };
    },
    /** Several programmes at once (an invitation): null when any of them is unknown. */
    async programmes(db: Executor, ids: readonly string[]): Promise<AccessScope | null> {
      const unique = [...new Set(ids)];
      const found = await db('programmes').whereIn('id', unique).select('id');
      return found.length === unique.length ? { programmeId: null, networkId: null, programmeIds: unique.sort() } : null;
    },
    async apiToken(db: Executor, id: string): Promise<AccessScope | null> {
      const r = await db('api_tokens').where({ id }).first('person_id');
      return r?.person_id ? { programmeId: null, networkId: null, ownerPersonId: String(r.person_id) } : null;
    },
    async person(db: Executor, id: string): Promise<AccessScope | null> {
      const r = await db('persons').where({ id }).first('id');
      return r ? { programmeId: null, networkId: null, ownerPersonId: String(r.id) } : null;
    },
  };
}

export type ScopesRepo = ReturnType<typeof createScopesRepo>;
