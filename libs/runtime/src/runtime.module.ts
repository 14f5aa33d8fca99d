import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Global, Inject, Module, type OnApplicationShutdown, RequestMethod } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import { type AppConfig, APP_CONFIG, loadConfig } from '#shouhu/config';
import { DirectoryService, ResponsibleUnitResolver } from '#shouhu/directory';
import { CaseQueries, type Clock, DefinitionRegistry, ShiftedClock, SystemClock, WorkflowEngine } from '#shouhu/engine';
import { DeliveryService, InboxService } from '#shouhu/notify';
import { Database, SqlCaseStore, SqlDispatchStore } from '#shouhu/persistence';
import { CHANGBAI_POLICY, loadPolicyFile, type ProtectionPolicy, protectionDefinitionsFor } from '#shouhu/protection';
import { DispatchQueues, OutboxRelay, Reconciler, RedisConnections } from '#shouhu/queue';
import { loadDefinitions } from './definitions.loader';
import { RelayOnTransition } from './relay-on-transition.handler';
import { CLOCK, PROTECTION_POLICY } from './tokens';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A request id from the caller's X-Request-Id when it is sane, else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Everything the API and the worker share: configuration, clock, database, case store, engine,
 * directory, inbox, queues and the relay. Imported by both apps (and once when they run together).
 */
@Global()
@Module({
  imports: [
    CqrsModule.forRoot(),
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: config.LOG_LEVEL,
          genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? requestIdOf(req),
          customProps: () => ({ service: 'shouhu' }),
          redact: ['req.headers.authorization'],
        },
      }),
    }),
  ],
  providers: [
    { provide: APP_CONFIG, useFactory: () => loadConfig() },
    {
      provide: CLOCK,
      inject: [APP_CONFIG],
      // All processes given the same CLOCK_OFFSET_MS share one shifted time line (real time otherwise).
      useFactory: (config: AppConfig): Clock => (config.CLOCK_OFFSET_MS ? new ShiftedClock(config.CLOCK_OFFSET_MS) : new SystemClock()),
    },
    {
      provide: Database,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        const db = await Database.open(
          config.DATABASE_URL ? { kind: 'postgres', url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX } : { kind: 'pglite', dataDir: config.dataDir },
        );
        await db.migrate();
        return db;
      },
    },
    {
      provide: PROTECTION_POLICY,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): ProtectionPolicy =>
        config.PROTECTION_POLICY_FILE ? loadPolicyFile(config.PROTECTION_POLICY_FILE) : CHANGBAI_POLICY,
    },
    {
      provide: DefinitionRegistry,
      inject: [APP_CONFIG, PROTECTION_POLICY],
      useFactory: (config: AppConfig, policy: ProtectionPolicy) =>
        loadDefinitions(protectionDefinitionsFor(policy), config.CASE_DEFINITION_MODULES),
    },
    { provide: SqlCaseStore, inject: [Database], useFactory: (db: Database) => new SqlCaseStore(db) },
    { provide: SqlDispatchStore, inject: [Database], useFactory: (db: Database) => new SqlDispatchStore(db) },
    {
      provide: WorkflowEngine,
      inject: [DefinitionRegistry, SqlCaseStore, CLOCK],
      useFactory: (r: DefinitionRegistry, s: SqlCaseStore, c: Clock) => new WorkflowEngine(r, s, c),
    },
    {
      provide: CaseQueries,
      inject: [WorkflowEngine, DefinitionRegistry, SqlCaseStore, CLOCK],
      useFactory: (e: WorkflowEngine, r: DefinitionRegistry, s: SqlCaseStore, c: Clock) => new CaseQueries(e, r, s, c),
    },
    { provide: DirectoryService, inject: [Database], useFactory: (db: Database) => new DirectoryService(db) },
    { provide: ResponsibleUnitResolver, inject: [DirectoryService], useFactory: (d: DirectoryService) => new ResponsibleUnitResolver(d) },
    { provide: InboxService, inject: [Database, CLOCK], useFactory: (db: Database, c: Clock) => new InboxService(db, c) },
    { provide: DeliveryService, inject: [Database, CLOCK], useFactory: (db: Database, c: Clock) => new DeliveryService(db, c) },
    { provide: RedisConnections, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new RedisConnections(config.REDIS_URL) },
    {
      provide: DispatchQueues,
      inject: [RedisConnections, APP_CONFIG],
      useFactory: (r: RedisConnections, config: AppConfig) => new DispatchQueues(r, config.QUEUE_PREFIX),
    },
    { provide: OutboxRelay, inject: [DispatchQueues, CLOCK], useFactory: (q: DispatchQueues, c: Clock) => new OutboxRelay(q, c) },
    {
      provide: Reconciler,
      inject: [SqlDispatchStore, DispatchQueues, CLOCK, APP_CONFIG],
      useFactory: (s: SqlDispatchStore, q: DispatchQueues, c: Clock, config: AppConfig) =>
        new Reconciler(s, q, c, { horizonMs: config.TIMER_HORIZON_MS, outboxGraceMs: config.OUTBOX_GRACE_MS }),
    },
    RelayOnTransition,
  ],
  exports: [
    CqrsModule,
    APP_CONFIG,
    CLOCK,
    PROTECTION_POLICY,
    Database,
    DefinitionRegistry,
    SqlCaseStore,
    SqlDispatchStore,
    WorkflowEngine,
    CaseQueries,
    DirectoryService,
    ResponsibleUnitResolver,
    InboxService,
    DeliveryService,
    RedisConnections,
    DispatchQueues,
    OutboxRelay,
    Reconciler,
  ],
})
export class RuntimeModule implements OnApplicationShutdown {
  constructor(
    @Inject(DispatchQueues) private readonly queues: DispatchQueues,
    @Inject(RedisConnections) private readonly redis: RedisConnections,
    @Inject(Database) private readonly db: Database,
  ) {}

  /** Runs after every other module's shutdown hook (the worker drains first). */
  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
    await this.redis.closeAll();
    await this.db.close();
  }
}
