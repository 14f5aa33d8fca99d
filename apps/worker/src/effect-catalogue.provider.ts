import type { Provider } from '@nestjs/common';
import { ResponsibleUnitResolver } from '#shouhu/directory';
import { DefinitionRegistry, EffectCatalogue, WorkflowEngine } from '#shouhu/engine';
import { SqlCaseStore } from '#shouhu/persistence';
import { OutboxRelay } from '#shouhu/queue';
import { OpenCaseEffectHandler } from './effects/open-case.handler';
import { DeliveryQueue, DeliveryService, InboxService, NotifyEffectHandler } from '#shouhu/notify';

export class UnhandledActionsError extends Error {}

/**
 * Handlers by action name. Built at boot and checked against every registered machine: a worker
 * that could not carry out a machine's action refuses to start rather than drop it later.
 */
export const effectCatalogueProvider: Provider = {
  provide: EffectCatalogue,
  inject: [DefinitionRegistry, ResponsibleUnitResolver, InboxService, WorkflowEngine, SqlCaseStore, OutboxRelay, DeliveryService, DeliveryQueue],
  useFactory: (
    registry: DefinitionRegistry,
    resolver: ResponsibleUnitResolver,
    inbox: InboxService,
    engine: WorkflowEngine,
    store: SqlCaseStore,
    relay: OutboxRelay,
    deliveries: DeliveryService,
    queue: DeliveryQueue,
  ) => {
    const catalogue = new EffectCatalogue([
      new NotifyEffectHandler(resolver, inbox, { deliveries, queue }),
      new OpenCaseEffectHandler(engine, store, resolver, (result) => relay.afterCommit(result)),
    ]);
    const missing = catalogue.unhandled(registry.all());
    if (missing.length > 0) {
      throw new UnhandledActionsError(`no effect handler for: ${missing.join(', ')} (handlers: ${catalogue.actions().join(', ')})`);
    }
    return catalogue;
  },
};
