import { createAuditRepo } from './audit.repo';
import { createCodesRepo } from './codes.repo';
import { createDocumentsRepo } from './documents.repo';
import { createOfficesRepo } from './offices.repo';
import { createOutboxRepo } from './outbox.repo';
import { createPersonsRepo } from './persons.repo';
import { createRecordsRepo } from './records.repo';
import { createScopesRepo } from './scopes.repo';
import { createSealedRepo } from './sealed.repo';
import { createSessionsRepo } from './sessions.repo';
import { createSignoffsRepo } from './signoffs.repo';
import { createStagesRepo } from './stages.repo';
import { createTemplatesRepo } from './templates.repo';
import { createTokensRepo } from './tokens.repo';
import { createVotesRepo } from './votes.repo';

export function createRepos() {
  return {
    audit: createAuditRepo(),
    codes: createCodesRepo(),
    documents: createDocumentsRepo(),
    offices: createOfficesRepo(),
    outbox: createOutboxRepo(),
    persons: createPersonsRepo(),
    records: createRecordsRepo(),
    scopes: createScopesRepo(),
    sealed: createSealedRepo(),
    sessions: createSessionsRepo(),
    signoffs: createSignoffsRepo(),
    stages: createStagesRepo(),
    templates: createTemplatesRepo(),
    tokens: createTokensRepo(),
    votes: createVotesRepo(),
  };
}

export type Repos = ReturnType<typeof createRepos>;
export type { Executor } from './executor';
