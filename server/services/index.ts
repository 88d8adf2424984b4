import type { ServerDeps } from '../deps';
import { createActionsService } from './actions.service';
import { createFormationService } from './formation.service';
import { createNetworksService } from './networks.service';
import { createReadinessService } from './readiness.service';
import { createSignoffsService } from './signoffs.service';
import { createTemplatesService } from './templates.service';
import { createVotesService } from './votes.service';

export function createServices(deps: ServerDeps) {
  const formation = createFormationService(deps);
  return {
    ...deps,
    networks: createNetworksService(deps),
    formation,
    readiness: createReadinessService(deps, formation),
    actions: createActionsService(deps),
    signoffs: createSignoffsService(deps),
    templates: createTemplatesService(deps),
    votes: createVotesService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
