import { createOutbox } from '../../mail/outbox';
import { createLinkResolver } from '../action-links';
import type { ServerDeps } from '../deps';
import { createActionsService } from './actions.service';
import { createCodecService } from './codec.service';
import { createDisputesService } from './disputes.service';
import { createDocumentsService } from './documents.service';
import { createEvidenceService } from './evidence.service';
import { createFormationService } from './formation.service';
import { createNetworkImportService } from './network-import.service';
import { createNetworkMembersService } from './network-members.service';
import { createNetworksService } from './networks.service';
import { createPeopleService } from './people.service';
import { createPanelService } from './panel.service';
import { createReadinessService } from './readiness.service';
import { createRisksService } from './risks.service';
import { createSigninService } from './signin.service';
import { createSignoffsService } from './signoffs.service';
import { createStageConsoleService } from './stage-console.service';
import { createSystemService } from './system.service';
import { createTemplatesService } from './templates.service';
import { createBallotLinksService } from './ballot-links.service';
import { createElectionsService } from './elections.service';
import { createMotionsService } from './motions.service';
import { createVotingRulesService } from './voting-rules.service';

/**
 * The operations behind the routes and pages. Routes get services and the settings pages need,
 * never the database or the repositories: every read and write goes through a service.
 */
export function createServices(deps: ServerDeps) {
  const outbox = createOutbox(deps);
  const formation = createFormationService(deps);
  const motions = createMotionsService(deps);
  const elections = createElectionsService(deps);
  const disputes = createDisputesService(deps);
  const signin = createSigninService({ ...deps, outbox });
  return {
    publicUrl: deps.publicUrl,
    formSecret: deps.formSecret,
    secureCookies: deps.secureCookies,
    rateLimit: deps.rateLimit,
    resolveLink: createLinkResolver(deps),
    signin,
    people: createPeopleService({ ...deps, outbox, signin }),
    system: createSystemService(deps),
    codec: createCodecService(deps),
    networks: createNetworksService(deps),
    networkMembers: createNetworkMembersService(deps),
    networkImport: createNetworkImportService(deps),
    formation,
    readiness: createReadinessService(deps),
    panel: createPanelService(deps),
    actions: createActionsService({ ...deps, outbox }),
    documents: createDocumentsService(deps),
    evidence: createEvidenceService(deps),
    signoffs: createSignoffsService(deps),
    /** what a facilitator's stage page reads */
    stageConsole: createStageConsoleService(deps),
    templates: createTemplatesService(deps),
    motions,
    elections,
    votingRules: createVotingRulesService(deps),
    /** ballot links of motions and elections (actions routes and ballot pages) */
    votes: createBallotLinksService(motions, elections),
    disputes,
    risks: createRisksService({ ...deps, disputes }),
  };
}

export type Services = ReturnType<typeof createServices>;
