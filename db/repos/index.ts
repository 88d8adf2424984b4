import { createAuditRepo } from './audit.repo';
import { createCodesRepo } from './codes.repo';
import { createDocumentsRepo } from './documents.repo';
import { createElectionsRepo } from './elections.repo';
import { createMotionsRepo } from './motions.repo';
import { createOutboxRepo } from './outbox.repo';
import { createRecordsRepo } from './records.repo';
import { createSealedRepo } from './sealed.repo';
import { createSignoffsRepo } from './signoffs.repo';
import { createStagesRepo } from './stages.repo';
import { createTemplatesRepo } from './templates.repo';
import { createTokensRepo } from './tokens.repo';
import { createVotingRulesRepo } from './voting-rules.repo';

export function createRepos() {
  return {
    audit: createAuditRepo(),
    codes: createCodesRepo(),
    documents: createDocumentsRepo(),
    elections: createElectionsRepo(),
    motions: createMotionsRepo(),
    outbox: createOutboxRepo(),
    records: createRecordsRepo(),
    sealed: createSealedRepo(),
    signoffs: createSignoffsRepo(),
    stages: createStagesRepo(),
    templates: createTemplatesRepo(),
    tokens: createTokensRepo(),
    votingRules: createVotingRulesRepo(),
  };
}

export type Repos = ReturnType<typeof createRepos>;
export type { Executor } from './executor';
