import { createOutbox } from '../../mail/outbox';
import { createLinkResolver } from '../action-links';
import type { ServerDeps } from '../deps';
import { createAccessService } from './access.service';
import { createActionsService } from './actions.service';
import { createDocumentsService } from './documents.service';
import { createEvidenceService } from './evidence.service';
import { createFormationService } from './formation.service';
import { createNetworksService } from './networks.service';
import { createPanelService } from './panel.service';
import { createReadinessService } from './readiness.service';
import { createSignoffsService } from './signoffs.service';
import { createSystemService } from './system.service';
import { createTemplatesService } from './templates.service';
import { createVotesService } from './votes.service';

/**
 * The operations behind the routes and pages. Routes get services and the settings pages need,
 * never the database or the repositories: every read and write goes through a service.
 */
export function createServices(deps: ServerDeps) {
  const outbox = createOutbox(deps);
  const formation = createFormationService(deps);
  return {
    publicUrl: deps.publicUrl,
    formSecret: deps.formSecret,
    secureCookies: deps.secureCookies,
    rateLimit: deps.rateLimit,
    resolveLink: createLinkResolver(deps),
    access: createAccessService(deps),
    system: createSystemService(deps),
    networks: createNetworksService(deps),
    formation,
    readiness: createReadinessService(deps),
    panel: createPanelService(deps),
    actions: createActionsService({ ...deps, outbox }),
    documents: createDocumentsService(deps),
    evidence: createEvidenceService(deps),
    signoffs: createSignoffsService(deps),
    templates: createTemplatesService(deps),
    votes: createVotesService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
