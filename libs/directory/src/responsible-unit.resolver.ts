import type { CaseRow } from '#shouhu/engine';
import type { DirectoryService } from './directory.service';

/**
 * Turns a machine's `to` (a role of the case, never a hard-coded unit) into unit ids:
 * `owner` is the case's owning unit, `parent` the unit above it (the escalation step); anything else
 * must be an existing unit id. Domain resolvers (the child's township police station, ...) come later.
 */
export class ResponsibleUnitResolver {
  constructor(private readonly directory: DirectoryService) {}

  async resolve(to: unknown, caseRow: Pick<CaseRow, 'ownerUnitId'>): Promise<string[]> {
    const refs = (Array.isArray(to) ? to : [to]).map(String);
    const ids: string[] = [];
    for (const ref of refs) {
      const id = await this.resolveOne(ref, caseRow);
      if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  private async resolveOne(ref: string, caseRow: Pick<CaseRow, 'ownerUnitId'>): Promise<string> {
    if (ref === 'owner') return caseRow.ownerUnitId;
    if (ref === 'parent') {
      const owner = await this.directory.unit(caseRow.ownerUnitId);
      if (!owner?.parentId) throw new Error(`unit ${caseRow.ownerUnitId} has no parent to escalate to`);
      return owner.parentId;
    }
    if (!(await this.directory.unit(ref))) throw new Error(`no responsible unit "${ref}"`);
    return ref;
  }
}
