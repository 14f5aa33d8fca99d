import type { Provider } from '@nestjs/common';
import { ResponsibleUnitResolver } from '#shouhu/directory';
import { DefinitionRegistry, EffectCatalogue } from '#shouhu/engine';
import { InboxService, NotifyEffectHandler } from '#shouhu/notify';

export class UnhandledActionsError extends Error {}

/**
 * Handlers by action name. Built at boot and checked against every registered machine: a worker
 * that could not carry out a machine's action refuses to start rather than drop it later.
 */
export const effectCatalogueProvider: Provider = {
  provide: EffectCatalogue,
  inject: [DefinitionRegistry, ResponsibleUnitResolver, InboxService],
  useFactory: (registry: DefinitionRegistry, resolver: ResponsibleUnitResolver, inbox: InboxService) => {
    const catalogue = new EffectCatalogue([new NotifyEffectHandler(resolver, inbox)]);
    const missing = catalogue.unhandled(registry.all());
    if (missing.length > 0) {
      throw new UnhandledActionsError(`no effect handler for: ${missing.join(', ')} (handlers: ${catalogue.actions().join(', ')})`);
    }
    return catalogue;
  },
};
