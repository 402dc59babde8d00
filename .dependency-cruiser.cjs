/** The layer rules of the hexagon, checked on every `npm test`. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing but itself and neverthrow.',
      severity: 'error',
      from: { path: '^src/domain' },
      to: { pathNot: ['^src/domain', 'node_modules/neverthrow'] },
    },
    {
      name: 'application-knows-no-adapter',
      comment: 'Use cases talk to the world through their ports only.',
      severity: 'error',
      from: { path: '^src/application' },
      to: { path: ['^src/adapters', '^src/main\\.ts$', '^src/composition/', 'node_modules/(fastify|better-sqlite3|minio|@eventstore|tsyringe|zod|@fastify)'] },
    },
    {
      name: 'adapters-do-not-know-each-other',
      comment: 'Adapters meet only in the composition root (src/composition); what several need lives in adapters/shared.',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: '^src/adapters/([^/]+)/', pathNot: ['^src/adapters/$1/', '^src/adapters/shared/'] },
    },
    {
      name: 'nothing-imports-the-composition-root',
      comment: 'src/composition builds the graph and src/main.ts is the entry point; no layer depends on them.',
      severity: 'error',
      from: { path: '^src/(domain|application|adapters)/' },
      to: { path: ['^src/main\\.ts$', '^src/composition/'] },
    },
    {
      name: 'the-entry-point-is-imported-by-nothing',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/main\\.ts$' },
    },
    {
      name: 'no-orphans',
      comment: 'A module nothing imports is dead code (the entry point and type declarations aside).',
      severity: 'error',
      from: { orphan: true, pathNot: ['^src/main\\.ts$', '\\.d\\.ts$'] },
      to: {},
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
