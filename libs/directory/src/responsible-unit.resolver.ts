import type { CaseRow } from '#shouhu/engine';
import type { UnitRole } from '#shouhu/protection';
import type { DirectoryService } from './directory.service';

/** What the resolver reads of a case: its owner, the child (`subject`), `data.reporter` and its area. */
export type ResolvableCase = Pick<CaseRow, 'ownerUnitId'> & Partial<Pick<CaseRow, 'id' | 'subject' | 'data' | 'jurisdictionPath'>>;

/** County roles: the unit of that kind whose area is the county root (`changbai`). */
export const COUNTY_ROLE_KINDS = {
  'county-psb': ['public_security_bureau'],
  'county-civil-affairs': ['civil_affairs_bureau'],
  'county-education': ['education_bureau'],
  'joint-office': ['joint_meeting_office'],
  procuratorate: ['procuratorate'],
  court: ['court'],
  'welfare-institution': ['welfare_institution'],
} as const satisfies Partial<Record<UnitRole, readonly string[]>>;

/**
 * `service:<name>` → the county unit of this kind. A name not listed here is read as a kind with
 * `-` for `_` (`service:relief-station` → `relief_station`), so a policy can name another service unit
 * the directory holds without a code change.
 */
export const SERVICE_KINDS: Readonly<Record<string, string>> = {
  'womens-federation': 'womens_federation',
  education: 'education_bureau',
  health: 'health_bureau',
  'disabled-federation': 'disabled_persons_federation',
  'youth-league': 'youth_league',
  'trade-union': 'trade_union',
  'social-work': 'social_work_agency',
};

type CountyRole = keyof typeof COUNTY_ROLE_KINDS;
type ChildRole = 'township-police' | 'township-government' | 'village-committee' | 'school';

/** Every UnitRole that is not `service:*` is handled: adding one to `UnitRole` fails to compile until it is. */
const ROLES: Record<Exclude<UnitRole, `service:${string}` | 'owner'>, 'reporter' | 'child' | 'county'> = {
  reporter: 'reporter',
  'township-police': 'child',
  'township-government': 'child',
  'village-committee': 'child',
  school: 'child',
  'county-psb': 'county',
  'county-civil-affairs': 'county',
  'county-education': 'county',
  'joint-office': 'county',
  procuratorate: 'county',
  court: 'county',
  'welfare-institution': 'county',
};

const CODE = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Turns a machine's `to` (a role of the case, never a hard-coded unit) into unit ids.
 *
 * - `owner`: the case's owning unit; `parent`: the unit above it (the escalation step);
 * - `reporter`: `data.reporter.unitId`;
 * - `township-police` / `township-government`: the police station / township government whose area
 *   is `<county>/<subject.township>` (the county is the first segment of the case's jurisdiction path);
 * - `village-committee` / `school`: the unit `subject.village` / `subject.school` names;
 * - `county-psb`, `county-civil-affairs`, `county-education`, `joint-office`, `procuratorate`, `court`,
 *   `welfare-institution` and `service:<name>`: the unit of that kind at the county root;
 * - anything else must be an existing unit id.
 *
 * A role that resolves to no unit throws, naming the role and the child's township: the effect is
 * retried and finally dead-lettered rather than a notice silently lost.
 */
export class ResponsibleUnitResolver {
  constructor(private readonly directory: DirectoryService) {}

  async resolve(to: unknown, caseRow: ResolvableCase): Promise<string[]> {
    const refs = (Array.isArray(to) ? to : [to]).map(String);
    const ids: string[] = [];
    for (const ref of refs) {
      const id = await this.resolveOne(ref, caseRow);
      if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  private async resolveOne(ref: string, caseRow: ResolvableCase): Promise<string> {
    if (ref === 'owner') return caseRow.ownerUnitId;
    if (ref === 'parent') {
      const owner = await this.directory.unit(caseRow.ownerUnitId);
      if (!owner?.parentId) throw new Error(`unit ${caseRow.ownerUnitId} has no parent to escalate to`);
      return owner.parentId;
    }
    const kind = Object.hasOwn(ROLES, ref) ? ROLES[ref as keyof typeof ROLES] : undefined;
    if (kind === 'reporter') return this.reporter(caseRow);
    if (kind === 'child') return this.childUnit(ref as ChildRole, caseRow);
    if (kind === 'county') return this.countyUnit(ref, COUNTY_ROLE_KINDS[ref as CountyRole], caseRow);
    if (ref.startsWith('service:')) {
      const name = ref.slice('service:'.length);
      if (!CODE.test(name)) throw this.unresolved(ref, caseRow, 'the service name is not a lower-case code');
      const serviceKind = Object.hasOwn(SERVICE_KINDS, name) ? SERVICE_KINDS[name] : name.replace(/-/g, '_');
      return this.countyUnit(ref, [serviceKind], caseRow);
    }
    if (!(await this.directory.unit(ref))) throw new Error(`no responsible unit "${ref}" (neither a role nor a unit id)`);
    return ref;
  }

  private async reporter(caseRow: ResolvableCase): Promise<string> {
    const reporter = caseRow.data?.reporter as { unitId?: unknown } | undefined;
    const unitId = reporter?.unitId;
    if (typeof unitId !== 'string' || unitId === '') throw this.unresolved('reporter', caseRow, 'the case data names no reporter.unitId');
    if (!(await this.directory.unit(unitId))) throw this.unresolved('reporter', caseRow, `reporter unit "${unitId}" is not in the directory`);
    return unitId;
  }

  private async childUnit(role: ChildRole, caseRow: ResolvableCase): Promise<string> {
    const county = this.county(role, caseRow);
    if (role === 'township-police' || role === 'township-government') {
      const township = caseRow.subject?.township;
      if (typeof township !== 'string' || !CODE.test(township)) throw this.unresolved(role, caseRow, 'the child has no valid subject.township');
      const unitKind = role === 'township-police' ? 'police_station' : 'township_government';
      const path = `${county}/${township}`;
      const unit = await this.directory.unitOfKindAt(unitKind, path);
      if (!unit) throw this.unresolved(role, caseRow, `no ${unitKind} at ${path}`);
      return unit.id;
    }
    const field = role === 'village-committee' ? 'village' : 'school';
    const kinds = role === 'village-committee' ? ['village_committee'] : ['school', 'kindergarten'];
    const unitId = caseRow.subject?.[field];
    if (typeof unitId !== 'string' || unitId === '') throw this.unresolved(role, caseRow, `the child has no subject.${field}`);
    const unit = await this.directory.unit(unitId);
    if (!unit) throw this.unresolved(role, caseRow, `subject.${field} "${unitId}" is not in the directory`);
    if (!kinds.includes(unit.kind)) throw this.unresolved(role, caseRow, `subject.${field} "${unitId}" is a ${unit.kind}, not a ${kinds.join(' or ')}`);
    if (!unit.jurisdictionPath.startsWith(`${county}/`)) throw this.unresolved(role, caseRow, `subject.${field} "${unitId}" is outside county ${county}`);
    return unit.id;
  }

  private async countyUnit(role: string, kinds: readonly string[], caseRow: ResolvableCase): Promise<string> {
    const county = this.county(role, caseRow);
    const unit = await this.directory.unitOfKindAt(kinds, county);
    if (!unit) throw this.unresolved(role, caseRow, `no ${kinds.join(' or ')} at ${county}`);
    return unit.id;
  }

  /** The county root: the first segment of the case's jurisdiction path (`changbai/maluguo/school` → `changbai`). */
  private county(role: string, caseRow: ResolvableCase): string {
    const county = (caseRow.jurisdictionPath ?? '').split('/')[0];
    if (!county || !CODE.test(county)) throw this.unresolved(role, caseRow, 'the case has no jurisdiction path to find its county from');
    return county;
  }

  private unresolved(role: string, caseRow: ResolvableCase, why: string): Error {
    const township = caseRow.subject?.township;
    const where = typeof township === 'string' ? `township "${township}"` : 'no township';
    const which = caseRow.id ? `case ${caseRow.id}` : 'the case';
    return new Error(`cannot resolve role "${role}" for ${which} (${where}): ${why}`);
  }
}
