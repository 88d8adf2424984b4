/** The only workflowsPath: every workflow the worker runs is exported here. */
export { formationWorkflow } from './formation.workflow';
export { signoffWorkflow } from './signoff.workflow';
export { voteWorkflow } from './vote.workflow';
export { electionWorkflow } from './election.workflow';
export { disputeWorkflow } from './dispute.workflow';
export { riskReviewWorkflow } from './risk-review.workflow';
export { panelLetterWorkflow } from './panel-letter.workflow';
