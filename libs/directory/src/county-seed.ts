import type { DirectoryService, UnitInput } from './directory.service';

/*
 * The directory of Changbai Korean Autonomous County (长白朝鲜族自治县) as seed data: the office and
 * every member unit of the joint meeting on the care and protection of rural left-behind children
 * (annex of 长政办发〔2016〕39号), the county's welfare institution and relief station, one social
 * work agency, and the eight townships — each with its government, police station, and one sample
 * village committee and school.
 *
 * Parent links form the escalation tree: police station → county PSB → joint-meeting office;
 * township government → county civil affairs; school → county education bureau; village committee →
 * township government; every county department → joint-meeting office.
 *
 * Villages, schools, the social work agency and the named child directors are samples (real ones
 * come from the county's own census); the county units and townships are those of the annex.
 * Ids are stable lower-case codes: machines never name them (they name UnitRoles), but tokens,
 * tests and cases' `ownerUnitId` do.
 */

export const COUNTY_CODE = 'changbai';

export interface Township {
  /** The township code: the second segment of every jurisdiction path in it, e.g. `maluguo`. */
  code: string;
  /** 长白镇, 马鹿沟镇, 金华乡, ... */
  name: string;
  /** The township head named in the annex (member of the joint meeting). */
  head: string;
  /** Short name used for its police station, village and school (马鹿沟). */
  short: string;
  village: { name: string; childDirector: string };
  school: { name: string };
}

/** The eight townships of the annex, in its order. Their samples follow one naming rule (see `townshipUnitIds`). */
export const TOWNSHIPS: readonly Township[] = [
  { code: 'changbai-town', name: '长白镇', head: '康福林', short: '长白镇', village: { name: '长白镇城区社区居民委员会', childDirector: '朴英花' }, school: { name: '长白镇中心小学' } },
  { code: 'maluguo', name: '马鹿沟镇', head: '杨大伟', short: '马鹿沟', village: { name: '马鹿沟村民委员会', childDirector: '金明淑' }, school: { name: '马鹿沟镇中心小学' } },
  { code: 'jinhua', name: '金华乡', head: '刘刚', short: '金华', village: { name: '金华村民委员会', childDirector: '王秀芝' }, school: { name: '金华乡中心小学' } },
  { code: 'shisidaogou', name: '十四道沟镇', head: '徐立', short: '十四道沟', village: { name: '十四道沟村民委员会', childDirector: '李春梅' }, school: { name: '十四道沟镇中心小学' } },
  { code: 'shierdaogou', name: '十二道沟镇', head: '赵风全', short: '十二道沟', village: { name: '十二道沟村民委员会', childDirector: '赵玉兰' }, school: { name: '十二道沟镇中心小学' } },
  { code: 'badaogou', name: '八道沟镇', head: '金正学', short: '八道沟', village: { name: '八道沟村民委员会', childDirector: '崔顺姬' }, school: { name: '八道沟镇中心小学' } },
  { code: 'xinfangzi', name: '新房子镇', head: '沈殿春', short: '新房子', village: { name: '新房子村民委员会', childDirector: '孙丽娟' }, school: { name: '新房子镇中心小学' } },
  { code: 'baoquanshan', name: '宝泉山镇', head: '李文强', short: '宝泉山', village: { name: '宝泉山村民委员会', childDirector: '张桂芳' }, school: { name: '宝泉山镇中心小学' } },
];

/** The ids of a township's units: `<code>-town`, `<code>-police`, `<code>-village`, `<code>-school`. */
export function townshipUnitIds(code: string): { government: string; police: string; village: string; school: string } {
  return { government: `${code}-town`, police: `${code}-police`, village: `${code}-village`, school: `${code}-school` };
}

const C = COUNTY_CODE;
const OFFICE = 'changbai-joint-office';

/** A county department of the joint meeting, at the county root, escalating to the joint-meeting office. */
const dept = (id: string, name: string, kind: string): UnitInput => ({ id, name, kind, parentId: OFFICE, jurisdictionPath: C });

/**
 * The joint-meeting office and its member units (annex of 长政办发〔2016〕39号), all at the county
 * root path. The office sits at the civil affairs bureau (办公室设在县民政局).
 */
export const COUNTY_UNITS: readonly UnitInput[] = [
  { id: OFFICE, name: '长白县农村留守儿童关爱保护工作联席会议办公室', kind: 'joint_meeting_office', parentId: null, jurisdictionPath: C },
  dept('changbai-civil-affairs', '长白县民政局', 'civil_affairs_bureau'),
  dept('changbai-gov-office', '长白县人民政府办公室', 'government_office'),
  dept('changbai-congress-legal', '长白县人大法制办公室', 'congress_legal_office'),
  dept('changbai-womens-federation', '长白县妇女联合会', 'womens_federation'),
  dept('changbai-disabled-federation', '长白县残疾人联合会', 'disabled_persons_federation'),
  dept('changbai-political-legal', '中共长白县委政法委员会', 'political_legal_commission'),
  dept('changbai-trade-union', '长白县总工会', 'trade_union'),
  dept('changbai-youth-league', '共青团长白县委员会', 'youth_league'),
  dept('changbai-establishment', '长白县机构编制委员会办公室', 'establishment_office'),
  dept('changbai-development-reform', '长白县发展和改革局', 'development_reform_bureau'),
  dept('changbai-education', '长白县教育局', 'education_bureau'),
  dept('changbai-psb', '长白县公安局', 'public_security_bureau'),
  dept('changbai-justice', '长白县司法局', 'justice_bureau'),
  dept('changbai-finance', '长白县财政局', 'finance_bureau'),
  dept('changbai-hrss', '长白县人力资源和社会保障局', 'human_resources_social_security_bureau'),
  dept('changbai-health', '长白县卫生和计划生育局', 'health_bureau'),
  dept('changbai-culture', '长白县文化广电新闻出版局', 'culture_radio_press_bureau'),
  dept('changbai-housing', '长白县住房和城乡建设局', 'housing_construction_bureau'),
  dept('changbai-agriculture', '长白县农业局', 'agriculture_bureau'),
  dept('changbai-court', '长白县人民法院', 'court'),
  dept('changbai-procuratorate', '长白县人民检察院', 'procuratorate'),
  dept('changbai-national-tax', '长白县国家税务局', 'national_tax_bureau'),
  dept('changbai-local-tax', '长白县地方税务局', 'local_tax_bureau'),
  dept('changbai-statistics', '长白县统计局', 'statistics_bureau'),
  dept('changbai-internet-centre', '长白县互联网信息中心', 'internet_information_centre'),
  // Temporary care and services under civil affairs (not members of the joint meeting).
  { id: 'changbai-welfare', name: '长白县儿童福利院', kind: 'welfare_institution', parentId: 'changbai-civil-affairs', jurisdictionPath: C },
  { id: 'changbai-relief', name: '长白县救助管理站', kind: 'relief_station', parentId: 'changbai-civil-affairs', jurisdictionPath: C },
  { id: 'changbai-social-work', name: '长白县阳光社会工作服务中心', kind: 'social_work_agency', parentId: 'changbai-civil-affairs', jurisdictionPath: C },
];

/** Each township's government and police station (`changbai/<code>`), sample village committee and school. */
export const TOWNSHIP_UNITS: readonly UnitInput[] = TOWNSHIPS.flatMap((t) => {
  const ids = townshipUnitIds(t.code);
  const path = `${C}/${t.code}`;
  return [
    { id: ids.government, name: `${t.name}人民政府`, kind: 'township_government', parentId: 'changbai-civil-affairs', jurisdictionPath: path },
    { id: ids.police, name: `${t.short}派出所`, kind: 'police_station', parentId: 'changbai-psb', jurisdictionPath: path },
    { id: ids.village, name: t.village.name, kind: 'village_committee', parentId: ids.government, jurisdictionPath: `${path}/village` },
    { id: ids.school, name: t.school.name, kind: 'school', parentId: 'changbai-education', jurisdictionPath: `${path}/school` },
  ];
});

/** Every unit of the county, parents before children (the order they are inserted in). */
export const COUNTY_DIRECTORY: readonly UnitInput[] = [...COUNTY_UNITS, ...TOWNSHIP_UNITS];

/**
 * The child director (儿童主任, 民发〔2019〕34号) named for each sample village committee. Kept here
 * as data: the units table has no column for a unit's named person yet.
 */
export const CHILD_DIRECTORS: readonly { unitId: string; name: string }[] = TOWNSHIPS.map((t) => ({
  unitId: townshipUnitIds(t.code).village,
  name: t.village.childDirector,
}));

/**
 * Inserts the county directory into an empty directory and returns how many units it inserted;
 * a directory that already holds units is left alone (0), so calling it again inserts nothing.
 */
export async function seedCountyDirectory(directory: DirectoryService): Promise<number> {
  return directory.addUnitsToEmptyDirectory(COUNTY_DIRECTORY);
}
