import { createAuditRepo } from './audit.repo';
import { createCodesRepo } from './codes.repo';
import { createDocumentsRepo } from './documents.repo';
import { createOutboxRepo } from './outbox.repo';
import { createPanelsRepo } from './panels.repo';
import { createReadinessRepo } from './readiness.repo';
import { createRecordsRepo } from './records.repo';
import { createSealedRepo } from './sealed.repo';
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
    outbox: createOutboxRepo(),
    panels: createPanelsRepo(),
    readiness: createReadinessRepo(),
    records: createRecordsRepo(),
    sealed: createSealedRepo(),
    signoffs: createSignoffsRepo(),
    stages: createStagesRepo(),
    templates: createTemplatesRepo(),
    tokens: createTokensRepo(),
    votes: createVotesRepo(),
  };
}

export type Repos = ReturnType<typeof createRepos>;
export type { Executor } from './executor';
