import { z } from 'zod';
import { defineRoute, type RouteDef } from '../route';
import { createNetworkBody, createProgrammeBody, createWaveBody, programmeSettingsBody, idParam, networkResponse, outboxQuery, outboxResponse, programmeResponse, waveResponse } from '../schemas';
import type { Services } from '../services';

/** Programmes, waves, networks and the outbox. */
export function recordsRoutes(s: Services): RouteDef[] {
  return [
    defineRoute({
      method: 'post', path: '/programmes', tag: 'programmes', policy: { action: 'programme.create' }, summary: 'Create a programme', status: 201,
      body: createProgrammeBody, response: programmeResponse,
      handler: ({ body, person }) => s.networks.createProgramme(person!, body),
    }),
    defineRoute({
      method: 'get', path: '/programmes', tag: 'programmes', policy: { action: 'programme.read' }, summary: 'List programmes', response: z.array(programmeResponse),
      handler: ({ person }) => s.networks.listProgrammes(person!),
    }),
    defineRoute({
      method: 'get', path: '/programmes/:id', tag: 'programmes', policy: { action: 'programme.read', scope: { programme: 'id' } }, summary: 'A programme and its waves', params: idParam,
      response: programmeResponse.extend({ waves: z.array(waveResponse) }),
      handler: ({ params }) => s.networks.getProgramme(params.id),
    }),
    defineRoute({
      method: 'put', path: '/programmes/:id/settings', tag: 'programmes', policy: { action: 'programme.manage', scope: { programme: 'id' } }, summary: "A programme's settings, e.g. a one-time code by email when signing",
      params: idParam, body: programmeSettingsBody, response: programmeResponse.extend({ waves: z.array(waveResponse) }),
      handler: ({ params, body, person }) => s.networks.setProgrammeSettings(person!, params.id, body),
    }),
    defineRoute({
      method: 'post', path: '/programmes/:id/waves', tag: 'programmes', policy: { action: 'programme.manage', scope: { programme: 'id' } }, summary: 'Add a wave to a programme', status: 201,
      params: idParam, body: createWaveBody, response: waveResponse,
      handler: ({ params, body, person }) => s.networks.createWave(person!, params.id, body),
    }),
    defineRoute({
      method: 'post', path: '/networks', tag: 'networks', policy: { action: 'network.create', scope: { programmeInBody: 'programmeId' } }, summary: 'Create a network with its practices and people', status: 201,
      body: createNetworkBody, response: networkResponse,
      handler: ({ body, person }) => s.networks.createNetwork(person!, body),
    }),
    defineRoute({
      method: 'get', path: '/networks', tag: 'networks', policy: { action: 'network.read' }, summary: 'List networks',
      query: z.object({ waveId: z.string().max(64).optional(), programmeId: z.string().max(64).optional() }),
      response: z.array(z.object({ id: z.string(), name: z.string(), programmeId: z.string(), waveId: z.string(), formationStatus: z.string(), currentStage: z.string().nullable() })),
      handler: ({ query, person }) => s.networks.listNetworks(person!, query),
    }),
    defineRoute({
      method: 'get', path: '/networks/:id', tag: 'networks', policy: { action: 'network.read', scope: { network: 'id' } }, summary: 'A network, its practices and people', params: idParam, response: networkResponse,
      handler: ({ params }) => s.networks.getNetwork(params.id),
    }),
    defineRoute({
      method: 'get', path: '/waves/:id/readiness', tag: 'readiness', policy: { action: 'readiness.read', scope: { wave: 'id' } }, summary: 'Per network: stage, RAG status, blockers, list size vs footprint', params: idParam,
      response: z.object({
        waveId: z.string(),
        number: z.number(),
        panelDate: z.string(),
        daysToPanel: z.number(),
        programme: z.object({ id: z.string(), name: z.string() }),
        summary: z.object({ red: z.number(), amber: z.number(), green: z.number() }),
        networks: z.array(
          z.object({
            networkId: z.string(),
            name: z.string(),
            formationStatus: z.string(),
            currentStage: z.string().nullable(),
            stageStatus: z.string().nullable(),
            stagesCompleted: z.number(),
            rag: z.enum(['red', 'amber', 'green']),
            blockers: z.array(z.string()),
            listSize: z.number(),
            footprint: z.object({ minListSize: z.number(), maxListSize: z.number(), status: z.enum(['below', 'within', 'above']) }),
            practices: z.number(),
          }),
        ),
      }),
      handler: ({ params }) => s.readiness.wave(params.id),
    }),
    defineRoute({
      method: 'get', path: '/outbox', tag: 'outbox', policy: { action: 'outbox.read', audit: true }, summary: 'Messages sent, newest first; ?to= (an address) and ?networkId= narrow them', query: outboxQuery, response: outboxResponse,
      handler: ({ query, person }) => s.networks.outbox(person!, query),
    }),
  ];
}
