/**
 * The layer rules of DESIGN.md, enforced: which top-level folder may import which. Each folder's
 * README states its rule in words; this file is the same rule as lint, so the picture stays true.
 *
 * Imports are relative, so a folder is recognised as the first path segment after the leading
 * `../` run (e.g. `../../db/repos` from domain/voting/ reaches db/).
 */

/** A relative import that reaches one of these top-level folders. */
const reaching = (...folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'worker_threads',
  'zlib',
];

/** `@typescript-eslint/no-restricted-imports` with a message per forbidden group. */
function forbid(files, groups, extra = {}) {
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          ...extra,
          patterns: groups.map(({ regex, message, allowTypeImports = false }) => ({ regex, message, allowTypeImports })),
        },
      ],
    },
  };
}

const nodeModules = {
  regex: `^(node:.*|${NODE_BUILTINS.join('|')})$`,
  message: 'Pure code: no Node built-ins (it is bundled into deterministic workflow code).',
};

export const layerRules = [
  // domain/: pure rules, safe in the workflow bundle
  forbid(
    ['domain/**/*.ts'],
    [
      {
        regex: reaching('db', 'server', 'activities', 'workflows', 'documents', 'templates', 'mail', 'bin', 'scripts', 'config'),
        message: 'domain/ imports only domain/ (and small pure libraries).',
      },
      nodeModules,
    ],
  ),
  // workflows/: deterministic orchestration; activities only as types through proxyActivities
  forbid(
    ['workflows/**/*.ts'],
    [
      {
        regex: reaching('db', 'server', 'documents', 'templates', 'mail', 'bin', 'scripts', 'config'),
        message: 'workflows/ import only @temporalio/workflow, domain/ and activity types.',
      },
      { regex: reaching('activities'), message: 'workflows/ import activities as types only (import type …).', allowTypeImports: true },
      {
        regex: '(^zod$|\\.schema$)',
        message: 'workflows/ take zod and *.schema modules as types only: every workflow loads its imports anew.',
        allowTypeImports: true,
      },
      nodeModules,
    ],
  ),
  // db/: repositories over knex, with domain types
  forbid(
    ['db/**/*.ts'],
    [
      {
        regex: reaching('server', 'activities', 'workflows', 'documents', 'templates', 'mail', 'bin', 'scripts', 'config'),
        message: 'db/ imports only domain/ and libraries.',
      },
    ],
  ),
  // documents/: the pure rendering pipeline; it renders what it is given and knows no document type
  forbid(
    ['documents/**/*.ts'],
    [
      {
        regex: reaching('db', 'server', 'activities', 'workflows', 'mail', 'templates', 'bin', 'config'),
        message: 'documents/ is pure: it imports domain/ and libraries, never templates/ (templates/ hands it what to render).',
      },
    ],
  ),
  // templates/: the registry of document types, template sources and their schemas
  forbid(
    ['templates/**/*.ts'],
    [
      {
        regex: reaching('db', 'server', 'activities', 'workflows', 'mail', 'bin', 'scripts', 'config'),
        message: 'templates/ import domain/ and documents/ only.',
      },
    ],
  ),
  // mail/: the outbox and delivery
  forbid(
    ['mail/**/*.ts'],
    [
      {
        regex: reaching('server', 'activities', 'workflows', 'templates', 'bin', 'scripts', 'config'),
        message: 'mail/ imports db/, domain/, documents/ (wording) and libraries.',
      },
    ],
  ),
  // activities/: all I/O of workflows
  forbid(
    ['activities/**/*.ts'],
    [
      { regex: reaching('server', 'bin', 'scripts', 'config'), message: 'activities/ never import server/ or composition roots.' },
      {
        regex: '^(\\.\\./)+workflows/(?!messages|vote-messages|dispute-messages|panel-messages|failures)',
        message: 'activities/ import only the shared message definitions of workflows/.',
      },
    ],
  ),
  // crypto/: ciphers and keys, on Node's crypto alone
  forbid(
    ['crypto/**/*.ts'],
    [
      {
        regex: reaching('domain', 'db', 'server', 'activities', 'workflows', 'documents', 'templates', 'mail', 'codec', 'bin', 'scripts', 'config'),
        message: 'crypto/ imports node:crypto and libraries only.',
      },
    ],
  ),
  // codec/: the Temporal payload codec
  forbid(
    ['codec/**/*.ts'],
    [
      {
        regex: reaching('domain', 'db', 'server', 'activities', 'workflows', 'documents', 'templates', 'mail', 'bin', 'scripts', 'config'),
        message: 'codec/ imports crypto/ and libraries only.',
      },
    ],
  ),
  // server/: HTTP edge; talks to workflows through clients and message definitions
  forbid(
    ['server/**/*.ts'],
    [
      {
        regex: reaching('activities', 'bin', 'scripts', 'config'),
        message: 'server/ never imports activities/ or composition roots (use mail/ for messages).',
      },
      {
        regex: '^(\\.\\./)+workflows/(?!messages|vote-messages|dispute-messages|panel-messages|failures|batch-writer)',
        message: 'server/ imports only the shared message definitions of workflows/ (and its group commit, plain promises), never a workflow.',
      },
    ],
  ),
];
