import type { EvidenceKey } from '../audit-chain';
import type { CheckpointStore } from '../audit-checkpoints';
import { createAuditRepo } from './audit.repo';
import { createCodesRepo } from './codes.repo';
import { createDisputesRepo } from './disputes.repo';
import { createDocumentsRepo } from './documents.repo';
import { createElectionsRepo } from './elections.repo';
import { createMotionsRepo } from './motions.repo';
import { createOfficesRepo } from './offices.repo';
import { createOutboxRepo } from './outbox.repo';
import { createPersonsRepo } from './persons.repo';
import { createPanelsRepo } from './panels.repo';
import { createReadinessRepo } from './readiness.repo';
import { createRecordsRepo } from './records.repo';
import { createRisksRepo } from './risks.repo';
import { createScopesRepo } from './scopes.repo';
import { createSealedRepo } from './sealed.repo';
import { createSessionsRepo } from './sessions.repo';
import { createSignoffsRepo } from './signoffs.repo';
import { createStagedUploadsRepo } from './staged-uploads.repo';
import { createStagesRepo } from './stages.repo';
import { createTemplatesRepo } from './templates.repo';
import { createTokensRepo } from './tokens.repo';
import { createVotingRulesRepo } from './voting-rules.repo';

/** The audit chain's key and checkpoint store: built once per process by a composition root. */
export interface AuditEvidence {
  key: EvidenceKey;
  checkpoints: CheckpointStore;
}

export function createRepos(evidence: AuditEvidence) {
  return {
    audit: createAuditRepo(evidence),
    codes: createCodesRepo(),
    disputes: createDisputesRepo(),
    documents: createDocumentsRepo(),
    elections: createElectionsRepo(),
    motions: createMotionsRepo(),
    offices: createOfficesRepo(),
    outbox: createOutboxRepo(),
    persons: createPersonsRepo(),
    panels: createPanelsRepo(),
    readiness: createReadinessRepo(),
    records: createRecordsRepo(),
    risks: createRisksRepo(),
    scopes: createScopesRepo(),
    sealed: createSealedRepo(),
    sessions: createSessionsRepo(),
    signoffs: createSignoffsRepo(),
    stagedUploads: createStagedUploadsRepo(),
    stages: createStagesRepo(),
    templates: createTemplatesRepo(),
    tokens: createTokensRepo(),
    votingRules: createVotingRulesRepo(),
  };
}

export type Repos = ReturnType<typeof createRepos>;
export type { Executor } from './executor';
