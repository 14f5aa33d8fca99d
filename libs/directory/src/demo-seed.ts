import { COUNTY_DIRECTORY, seedCountyDirectory } from './county-seed';
import type { DirectoryService, UnitInput } from './directory.service';

/*
 * A first start gets the county directory (county-seed.ts) and a bearer token for a few demo people,
 * so there is someone to log in as.
 */

const DEMO_UNIT_IDS = [
  'changbai-joint-office',
  'changbai-civil-affairs',
  'changbai-psb',
  'changbai-education',
  'maluguo-town',
  'maluguo-police',
  'maluguo-school',
  'maluguo-village',
];

/**
 * The units the demo people act for (a closed slice of the county directory: every parent is in it).
 * Test stacks that seed their own directory start from it; `seedDemoDirectory` seeds the whole county.
 */
export const DEMO_UNITS: UnitInput[] = COUNTY_DIRECTORY.filter((u) => DEMO_UNIT_IDS.includes(u.id));

export const DEMO_PEOPLE = [
  { userId: 'teacher-li', userName: '李老师', unitId: 'maluguo-school', role: 'school' },
  { userId: 'officer-wang', userName: '王警官', unitId: 'maluguo-police', role: 'police' },
  { userId: 'caseworker-zhang', userName: '张社工', unitId: 'changbai-civil-affairs', role: 'civil_affairs' },
  { userId: 'director-jin', userName: '金主任', unitId: 'maluguo-village', role: 'village' },
  { userId: 'office-park', userName: '朴主任', unitId: 'changbai-joint-office', role: 'office' },
];

/**
 * Seeds only an empty directory: the county directory, then the demo people's tokens, which are
 * returned (shown once, never stored in clear). `null` when the directory already held units.
 */
export async function seedDemoDirectory(directory: DirectoryService): Promise<{ userId: string; role: string; unitId: string; token: string }[] | null> {
  if ((await seedCountyDirectory(directory)) === 0) return null;
  const tokens = [];
  for (const person of DEMO_PEOPLE) {
    tokens.push({ userId: person.userId, role: person.role, unitId: person.unitId, token: await directory.issueToken(person) });
  }
  return tokens;
}
