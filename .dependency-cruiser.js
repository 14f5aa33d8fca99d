/**
 * Layer rules for Shouhu (dependency-cruiser 17).
 *
 *   npx depcruise apps libs --config .dependency-cruiser.js   (npm run lint:layers)
 *
 * Layering, innermost first:
 *   libs/engine      - the kernel: pure planning, timers, history chain, store *ports*.
 *   libs/protection  - the child-protection domain (case machines + domain services);
 *                      its machines/ are pure XState definitions.
 *   libs/*           - adapters (persistence, queue, notify, directory, runtime, config ...).
 *   apps/api, apps/worker - composition roots (NestJS), separate processes.
 *
 * Paths in rules are relative to the repository root; `#shouhu/<lib>` is resolved
 * through tsconfig.json `paths` to `libs/<lib>/src/index.ts`, so rules see real paths.
 */

// Infrastructure packages. A resolved npm dependency looks like
// `node_modules/@nestjs/common/index.js` (or `node_modules/@types/pg/index.d.ts` for
// type-only imports); an unresolvable one keeps its bare name (`@nestjs/common`).
// The patterns below match both shapes.
const npm = (names) => `(^|/)node_modules/(@types/)?(${names.join('|')})(/|$)|^(${names.join('|')})(/|$)`;

const NEST_ORM_QUEUE = ['@nestjs/[^/]+', '@mikro-orm/[^/]+', 'bullmq', 'ioredis'];
const ENGINE_FORBIDDEN = [...NEST_ORM_QUEUE, 'mikro-orm-pglite', '@electric-sql/pglite', 'fastify'];
// machines: everything the engine may not use, plus raw database driver and I/O core modules.
const MACHINE_FORBIDDEN_NPM = [...ENGINE_FORBIDDEN, 'pg'];
// core modules appear as `fs`/`node:fs` (also `fs/promises`, `node:http`, ...).
const MACHINE_FORBIDDEN_CORE = '^(node:)?(fs|net|http)(/|$)';

const TESTS = '\\.(spec|test)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'engine-knows-no-domain-or-apps',
      severity: 'error',
      comment:
        'libs/engine is the kernel: every other lib and both apps depend on it, so it may not ' +
        'depend on any of them (no apps/, no other libs/*). Domain knowledge and adapters plug ' +
        'in through the ports the engine defines (CaseStore, Clock, effects), never the other way round.',
      from: { path: '^libs/engine/' },
      to: { path: '^(apps|libs)/', pathNot: '^libs/engine/' },
    },
    {
      name: 'engine-no-frameworks',
      severity: 'error',
      comment:
        'The engine must stay framework-free so it can be unit-tested in-memory, embedded ' +
        'anywhere and reasoned about deterministically: no NestJS, MikroORM, BullMQ/ioredis, ' +
        'PGlite or Fastify. Those belong in adapter libs or the apps.',
      from: { path: '^libs/engine/' },
      to: { path: npm(ENGINE_FORBIDDEN) },
    },
    {
      name: 'machines-are-pure',
      severity: 'error',
      comment:
        'Case state machines (libs/protection/src/machines) are pure XState definitions: ' +
        'deterministic, replayable and testable without I/O. They may use xstate, small pure ' +
        'helpers, their own lib and libs/engine - but no framework, ORM, queue, database driver, ' +
        'filesystem or network module, and no other lib (adapters are reached via engine effects).',
      from: { path: '^libs/protection/src/machines/' },
      to: {
        path: `${npm(MACHINE_FORBIDDEN_NPM)}|${MACHINE_FORBIDDEN_CORE}|^(apps|libs)/`,
        pathNot: '^libs/(engine|protection)/',
      },
    },
    {
      name: 'protection-no-frameworks',
      severity: 'error',
      comment:
        'libs/protection is the domain layer: it must not depend on NestJS, MikroORM or the ' +
        'queue (BullMQ/ioredis). Wiring it into Nest, persisting it and scheduling its jobs is ' +
        'the job of the adapter libs and the apps.',
      from: { path: '^libs/protection/' },
      to: { path: npm(NEST_ORM_QUEUE) },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      comment:
        'Apps are composition roots that depend on libs; a lib importing from an app inverts ' +
        'the layering and drags process bootstrap code into reusable code.',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-are-separate',
      severity: 'error',
      comment:
        'apps/api and apps/worker are deployed as separate processes (worker scaled to N ' +
        'replicas); sharing code between them goes through libs/, never app-to-app imports.',
      from: { path: '^apps/([^/]+)/', pathNot: '^apps/api/src/main\\.ts$' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'apps-are-separate',
      severity: 'error',
      comment:
        'The one exception: apps/api/src/main.ts may import apps/worker so that the embedded ' +
        '(PGlite, single-process, --with-worker) mode can run both in one process. It still ' +
        'may not import any other app.',
      from: { path: '^apps/api/src/main\\.ts$' },
      to: { path: '^apps/', pathNot: '^apps/(api|worker)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Circular dependencies make module initialisation order fragile (undefined imports ' +
        'at load time, Nest DI "cannot resolve" errors) and mean the layers are not layers. ' +
        'Break the cycle by extracting the shared part or inverting via a port.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'This module imports something that cannot be resolved (typo, missing package, missing ' +
        'file, or a #shouhu/<lib> alias whose libs/<lib>/src/index.ts does not exist). It will ' +
        'fail at build or run time.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        'Production code in apps/ and libs/ must not import devDependencies: the Docker runtime ' +
        'image installs with `npm ci --omit=dev`, so such an import crashes at runtime. Tests ' +
        '(*.spec.ts) are exempt; type-only imports and @types/* are erased at compile time and ' +
        'are allowed.',
      from: { path: '^(apps|libs)/', pathNot: TESTS },
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['type-only'],
        pathNot: '(^|/)node_modules/@types/',
      },
    },
  ],
  options: {
    // node_modules is *not followed* (its modules still appear as dependency targets, which
    // the framework rules above need). Do NOT put node_modules in `exclude`: excluded modules
    // vanish from the graph entirely and every npm-based rule would silently pass.
    doNotFollow: { path: '(^|/)node_modules/' },
    // Build output and local PGlite data dirs at the repo root are never source. Anchored to
    // the root so a source folder like libs/x/src/data/ is still cruised.
    exclude: { path: '^(dist|data|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
