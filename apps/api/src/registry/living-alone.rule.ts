import { Inject, Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { DirectoryService, ResponsibleUnitResolver } from '#shouhu/directory';
import { type Actor, type Clock, SYSTEM_ACTOR, uuidFromName, WorkflowEngine } from '#shouhu/engine';
import type { ProtectionPolicy } from '#shouhu/protection';
import { type ChildFile, livingAloneFinding } from '#shouhu/registry';
import { CaseTransitioned, CLOCK, PROTECTION_POLICY } from '#shouhu/runtime';

/**
 * The living-alone rule (MPL Art. 21; 长政办发〔2016〕39号 四(二)1): a file showing a child under 16 living
 * alone, or under 8 unattended, opens a mandatory report by itself — once per child and rule (the
 * report's id derives from them), whoever saved the file and however often.
 */
@Injectable()
export class LivingAloneRule {
  constructor(
    @Inject(WorkflowEngine) private readonly engine: WorkflowEngine,
    @Inject(ResponsibleUnitResolver) private readonly resolver: ResponsibleUnitResolver,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PROTECTION_POLICY) private readonly policy: ProtectionPolicy,
    private readonly events: EventBus,
  ) {}

  /** Returns the id of the report opened for this file, if the rule fired now. */
  async check(file: ChildFile, savedBy: Actor, requestId: string): Promise<string | null> {
    const finding = livingAloneFinding(file, this.clock.now(), this.policy.registry);
    if (!finding) return null;
    const id = uuidFromName(`living-alone:${file.childId}:${finding.rule}`);
    if (await this.engine.caseExists(id)) return null;
    const county = savedBy.jurisdictionPath.split('/')[0] || 'changbai';
    const village = await this.directory.unit(file.village);
    const townshipPath = `${county}/${file.township}`;
    const inVillage = village?.kind === 'village_committee' && village.jurisdictionPath.startsWith(`${townshipPath}/`);
    const subject = {
      childId: file.childId,
      name: file.name,
      township: file.township,
      ...(inVillage ? { village: village!.id } : {}),
      ...(file.school ? { school: file.school } : {}),
    };
    const data = {
      triggers: ['ALONE_NO_GUARDIAN'],
      description: `一人一档案显示：${finding.age}岁儿童${finding.rule === 'under16-alone' ? '独自居住' : '无人照料'} / the registry shows a child of ${finding.age} ${finding.rule === 'under16-alone' ? 'living alone' : 'left unattended'} (未成年人保护法 第二十一条)`,
      reporter: { unitId: savedBy.unitId, userId: savedBy.userId, role: savedBy.role },
      source: { registryFile: file.childId, version: file.version, rule: finding.rule },
    };
    const jurisdictionPath = inVillage ? village!.jurisdictionPath : townshipPath;
    const [ownerUnitId] = await this.resolver.resolve('township-police', { ownerUnitId: savedBy.unitId, subject, data, jurisdictionPath });
    const result = await this.engine.open({ id, type: 'mandatory-report', subject, data, ownerUnitId: ownerUnitId!, jurisdictionPath, actor: SYSTEM_ACTOR, requestId });
    this.events.publish(new CaseTransitioned(result));
    return result.case.id;
  }
}
