import { createAuditRepo } from './audit.repo';
import { createDocumentsRepo } from './documents.repo';
import { createOutboxRepo } from './outbox.repo';
import { createRecordsRepo } from './records.repo';
import { createSignoffsRepo } from './signoffs.repo';
import { createStagesRepo } from './stages.repo';
import { createTokensRepo } from './tokens.repo';

export function createRepos() {
  return {
    audit: createAuditRepo(),
    documents: createDocumentsRepo(),
    outbox: createOutboxRepo(),
    records: createRecordsRepo(),
    signoffs: createSignoffsRepo(),
    stages: createStagesRepo(),
    tokens: createTokensRepo(),
  };
}

export type Repos = ReturnType<typeof createRepos>;
export type { Executor } from './executor';
