import { Inject, Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { DirectoryService, ResponsibleUnitResolver } from '#shouhu/directory';
import { type Clock, WorkflowEngine } from '#shouhu/engine';
import type { ProtectionPolicy } from '#shouhu/protection';
import { LivingAloneReports } from '#shouhu/registry';
import { CaseTransitioned, CLOCK, PROTECTION_POLICY } from '#shouhu/runtime';

/** The living-alone rule (see `LivingAloneReports`) in the API: a report it opens goes to the outbox relay. */
@Injectable()
export class LivingAloneRule extends LivingAloneReports {
  constructor(
    @Inject(WorkflowEngine) engine: WorkflowEngine,
    @Inject(ResponsibleUnitResolver) resolver: ResponsibleUnitResolver,
    @Inject(DirectoryService) directory: DirectoryService,
    @Inject(CLOCK) clock: Clock,
    @Inject(PROTECTION_POLICY) policy: ProtectionPolicy,
    events: EventBus,
  ) {
    super(engine, resolver, directory, clock, policy.registry, (result) => events.publish(new CaseTransitioned(result)));
  }
}
