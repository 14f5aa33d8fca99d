import type { DirectoryService, ResponsibleUnitResolver } from '#shouhu/directory';
import { type Actor, type Clock, type CommitResult, SYSTEM_ACTOR, uuidFromName, type WorkflowEngine } from '#shouhu/engine';
import { type LivingAloneRules, livingAloneFinding } from './living';
import type { ChildRegistry } from './registry';
import type { ChildFile } from './types';

/**
 * The living-alone rule (MPL Art. 21; 长政办发〔2016〕39号 四(二)1): a file showing a child under 16 living
 * alone, or under 8 unattended, opens a mandatory report by itself — once per child and rule (the
 * report's id derives from them), whoever saved the file and however often. Used by the API (a file
 * saved) and by the worker (an import job); `opened` hands each new case to the outbox relay.
 */
export class LivingAloneReports {
  constructor(
    private readonly engine: WorkflowEngine,
    private readonly resolver: ResponsibleUnitResolver,
    private readonly directory: DirectoryService,
    private readonly clock: Clock,
    private readonly rules: LivingAloneRules,
    private readonly opened: (result: CommitResult) => void,
  ) {}

  /** Returns the id of the report opened for this file, if the rule fired now. */
  async check(file: ChildFile, savedBy: Actor, requestId: string): Promise<string | null> {
    const finding = livingAloneFinding(file, this.clock.now(), this.rules);
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
    this.opened(result);
    return result.case.id;
  }

  /** After an import committed: each of the township's files the rule finds opens its one report. */
  async checkTownship(registry: ChildRegistry, township: string, importedBy: Actor, requestId: string): Promise<string[]> {
    const reports: string[] = [];
    for (const living of ['alone', 'unattended'] as const) {
      for (let offset = 0; ; offset += 500) {
        const { items } = await registry.list({ township, living, limit: 500, offset }, SYSTEM_ACTOR);
        for (const file of items) {
          const id = await this.check(file, importedBy, requestId);
          if (id) reports.push(id);
        }
        if (items.length < 500) break;
      }
    }
    return reports;
  }
}
