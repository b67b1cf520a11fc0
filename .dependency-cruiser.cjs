/**
 * The import rule of src/: every import points down this list (or stays in its own folder),
 * and no files import each other in a circle. `npm run lint:deps` checks it; CI runs it.
 *
 * Bottom to top: shared utilities, charts (plain data -> files), the data path, configs,
 * the networks (both engines and their shared types), training, probes, the benchmark,
 * the experiment engine (jobs, store, pool, shards, merge), reports (pure functions of
 * records), the experiments built on the engine (reproduce, study, explain: plan builders
 * and judges, which never import each other), and the command line.
 */
const LAYERS = [
  'util',
  'stats',
  'charts',
  'data',
  'config',
  'nn',
  'training',
  'probes',
  'bench',
  'experiment',
  'reports',
  'reproduce',
  'study',
  'explain',
  'cli',
];

const upward = LAYERS.flatMap((from, i) => {
  const above = LAYERS.slice(i + 1);
  if (above.length === 0) return [];
  return [
    {
      name: `no-upward-from-${from}`,
      comment: `src/${from}/ may import only folders below it: ${LAYERS.slice(0, i).join(', ') || '(none)'}`,
      severity: 'error',
      from: { path: `^src/${from}/` },
      to: { path: `^src/(${above.join('|')})/` },
    },
  ];
});

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      comment: 'Files must not import each other in a circle (type-only imports included).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'experiments-are-independent',
      comment: 'reproduce, study and explain are plan builders on src/experiment/: none imports another.',
      severity: 'error',
      from: { path: '^src/(reproduce|study|explain)/' },
      to: { path: '^src/(reproduce|study|explain)/', pathNot: '^src/$1/' },
    },
    {
      name: 'only-the-entry-imports-cli',
      comment: 'src/cli/ is imported only by src/run.ts.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/run\\.ts$', '^src/cli/'] },
      to: { path: '^src/cli/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^[.]' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
