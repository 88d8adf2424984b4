import { createAuditRepo } from './audit.repo';
import { createCodesRepo } from './codes.repo';
import { createDisputesRepo } from './disputes.repo';
import { createDocumentsRepo } from './documents.repo';
import { createOutboxRepo } from './outbox.repo';
import { createRecordsRepo } from './records.repo';
import { createRisksRepo } from './risks.repo';
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
    disputes: createDisputesRepo(),
    documents: createDocumentsRepo(),
    outbox: createOutboxRepo(),
    records: createRecordsRepo(),
    risks: createRisksRepo(),
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
