import type { EvidenceKey } from '../audit-chain';
import type { CheckpointStore } from '../audit-checkpoints';
import { createAuditRepo } from './audit.repo';
import { createCodesRepo } from './codes.repo';
import { createDocumentsRepo } from './documents.repo';
import { createOutboxRepo } from './outbox.repo';
import { createRecordsRepo } from './records.repo';
import { createSealedRepo } from './sealed.repo';
import { createSignoffsRepo } from './signoffs.repo';
import { createStagesRepo } from './stages.repo';
import { createTemplatesRepo } from './templates.repo';
import { createTokensRepo } from './tokens.repo';
import { createVotesRepo } from './votes.repo';

/** The audit chain's key and checkpoint store: built once per process by a composition root. */
export interface AuditEvidence {
  key: EvidenceKey;
  checkpoints: CheckpointStore;
}

export function createRepos(evidence: AuditEvidence) {
  return {
    audit: createAuditRepo(evidence),
    codes: createCodesRepo(),
    documents: createDocumentsRepo(),
    outbox: createOutboxRepo(),
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
