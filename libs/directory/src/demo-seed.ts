import type { DirectoryService, UnitInput } from './directory.service';

/*
 * A small slice of Changbai county so a first start has someone to log in as. The full directory of
 * the joint meeting's member units is seed data of the protection issue.
 */
const COUNTY = 'changbai';
const TOWN = `${COUNTY}/maluguo`;

export const DEMO_UNITS: UnitInput[] = [
  { id: 'changbai-joint-office', name: '长白县农村留守儿童关爱保护工作联席会议办公室', kind: 'joint_meeting_office', jurisdictionPath: COUNTY },
  { id: 'changbai-civil-affairs', name: '长白县民政局', kind: 'civil_affairs_bureau', parentId: 'changbai-joint-office', jurisdictionPath: COUNTY },
  { id: 'changbai-psb', name: '长白县公安局', kind: 'public_security_bureau', parentId: 'changbai-joint-office', jurisdictionPath: COUNTY },
  { id: 'changbai-education', name: '长白县教育局', kind: 'education_bureau', parentId: 'changbai-joint-office', jurisdictionPath: COUNTY },
  { id: 'maluguo-town', name: '马鹿沟镇人民政府', kind: 'township_government', parentId: 'changbai-civil-affairs', jurisdictionPath: TOWN },
  { id: 'maluguo-police', name: '马鹿沟派出所', kind: 'police_station', parentId: 'changbai-psb', jurisdictionPath: TOWN },
  { id: 'maluguo-school', name: '马鹿沟镇中心小学', kind: 'school', parentId: 'changbai-education', jurisdictionPath: `${TOWN}/school` },
  { id: 'maluguo-village', name: '马鹿沟村民委员会', kind: 'village_committee', parentId: 'maluguo-town', jurisdictionPath: `${TOWN}/village` },
];

export const DEMO_PEOPLE = [
  { userId: 'teacher-li', userName: '李老师', unitId: 'maluguo-school', role: 'school' },
  { userId: 'officer-wang', userName: '王警官', unitId: 'maluguo-police', role: 'police' },
  { userId: 'caseworker-zhang', userName: '张社工', unitId: 'changbai-civil-affairs', role: 'civil_affairs' },
  { userId: 'director-jin', userName: '金主任', unitId: 'maluguo-village', role: 'village' },
  { userId: 'office-park', userName: '朴主任', unitId: 'changbai-joint-office', role: 'office' },
];

/** Seeds only an empty directory; returns the new tokens (shown once, never stored in clear). */
export async function seedDemoDirectory(directory: DirectoryService): Promise<{ userId: string; role: string; unitId: string; token: string }[] | null> {
  if ((await directory.countUnits()) > 0) return null;
  await directory.addUnits(DEMO_UNITS);
  const tokens = [];
  for (const person of DEMO_PEOPLE) {
    tokens.push({ userId: person.userId, role: person.role, unitId: person.unitId, token: await directory.issueToken(person) });
  }
  return tokens;
}
