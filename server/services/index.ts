import type { ServerDeps } from '../deps';
import { createActionsService } from './actions.service';
import { createFormationService } from './formation.service';
import { createNetworksService } from './networks.service';
import { createReadinessService } from './readiness.service';
import { createSignoffsService } from './signoffs.service';
import { createTemplatesService } from './templates.service';
import { createBallotLinksService } from './ballot-links.service';
import { createElectionsService } from './elections.service';
import { createMotionsService } from './motions.service';
import { createVotingRulesService } from './voting-rules.service';

export function createServices(deps: ServerDeps) {
  const formation = createFormationService(deps);
  const motions = createMotionsService(deps);
  const elections = createElectionsService(deps);
  return {
    ...deps,
    networks: createNetworksService(deps),
    formation,
    readiness: createReadinessService(deps, formation),
    actions: createActionsService(deps),
    signoffs: createSignoffsService(deps),
    templates: createTemplatesService(deps),
    motions,
    elections,
    votingRules: createVotingRulesService(deps),
    /** ballot links of motions and elections (actions routes and ballot pages) */
    votes: createBallotLinksService(motions, elections),
  };
}

export type Services = ReturnType<typeof createServices>;
