import {
  CHILD_DIRECTORS,
  DirectoryService,
  hashToken,
  ResponsibleUnitResolver,
  type ResolvableCase,
  seedCountyDirectory,
  seedDemoDirectory,
} from '#shouhu/directory';
import { Database } from '#shouhu/persistence';
import { CHANGBAI_POLICY } from '../../libs/protection/src/policy/changbai.policy';

/*
 * The Changbai county directory seeded into embedded PGlite (in memory, migrated), read back with
 * plain SQL, and every UnitRole resolved for children of two townships.
 */

jest.setTimeout(60_000);

type Unit = { id: string; name: string; kind: string; parent_id: string | null; jurisdiction_path: string };

/** The joint meeting's member units (annex of 长政办发〔2016〕39号), by kind and a piece of their Chinese name. */
const ANNEX_MEMBERS: Array<[kind: string, name: string]> = [
  ['joint_meeting_office', '联席会议办公室'],
  ['government_office', '人民政府办公室'],
  ['congress_legal_office', '人大法制办公室'],
  ['womens_federation', '妇女联合会'],
  ['disabled_persons_federation', '残疾人联合会'],
  ['political_legal_commission', '政法委员会'],
  ['trade_union', '总工会'],
  ['youth_league', '共青团'],
  ['civil_affairs_bureau', '民政局'],
  ['establishment_office', '机构编制委员会办公室'],
  ['development_reform_bureau', '发展和改革局'],
  ['education_bureau', '教育局'],
  ['public_security_bureau', '公安局'],
  ['justice_bureau', '司法局'],
  ['finance_bureau', '财政局'],
  ['human_resources_social_security_bureau', '人力资源和社会保障局'],
  ['health_bureau', '卫生和计划生育局'],
  ['culture_radio_press_bureau', '文化广电新闻出版局'],
  ['housing_construction_bureau', '住房和城乡建设局'],
  ['agriculture_bureau', '农业局'],
  ['court', '人民法院'],
  ['procuratorate', '人民检察院'],
  ['national_tax_bureau', '国家税务局'],
  ['local_tax_bureau', '地方税务局'],
  ['statistics_bureau', '统计局'],
  ['internet_information_centre', '互联网信息中心'],
];

const TOWNSHIPS: Array<[code: string, name: string]> = [
  ['changbai-town', '长白镇'],
  ['maluguo', '马鹿沟镇'],
  ['jinhua', '金华乡'],
  ['shisidaogou', '十四道沟镇'],
  ['shierdaogou', '十二道沟镇'],
  ['badaogou', '八道沟镇'],
  ['xinfangzi', '新房子镇'],
  ['baoquanshan', '宝泉山镇'],
];

describe('the Changbai county directory on PGlite', () => {
  let db: Database;
  let directory: DirectoryService;
  let resolver: ResponsibleUnitResolver;
  let seeded = -1;

  beforeAll(async () => {
    db = await Database.open({ kind: 'pglite', dataDir: null });
    await db.migrate();
    directory = new DirectoryService(db);
    resolver = new ResponsibleUnitResolver(directory);
    seeded = await seedCountyDirectory(directory);
  });

  afterAll(async () => {
    await db?.close();
  });

  const units = async (): Promise<Unit[]> => (await db.em().execute('select id, name, kind, parent_id, jurisdiction_path from units order by id')) as Unit[];

  it('seeds every unit it has into the empty directory and says how many', async () => {
    const rows = await units();
    expect(seeded).toBe(61);
    expect(rows).toHaveLength(61);
    for (const u of rows) {
      expect(u.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(u.kind).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(u.jurisdiction_path === 'changbai' || u.jurisdiction_path.startsWith('changbai/')).toBe(true);
    }
  });

  it('holds the joint-meeting office and every member unit of the annex at the county root', async () => {
    const county = (await units()).filter((u) => u.jurisdiction_path === 'changbai');
    for (const [kind, name] of ANNEX_MEMBERS) {
      const found = county.filter((u) => u.kind === kind);
      expect({ kind, count: found.length }).toEqual({ kind, count: 1 });
      expect(found[0]!.name).toContain(name);
    }
    const byKind = (kind: string) => county.find((u) => u.kind === kind)?.id;
    expect(byKind('welfare_institution')).toBe('changbai-welfare');
    expect(byKind('relief_station')).toBe('changbai-relief');
    expect(byKind('social_work_agency')).toBe('changbai-social-work');
  });

  it('keeps the ids and paths the demo, the tokens and the tests use', async () => {
    const rows = new Map((await units()).map((u) => [u.id, u]));
    expect(
      ['changbai-joint-office', 'changbai-civil-affairs', 'changbai-psb', 'changbai-education', 'maluguo-town', 'maluguo-police', 'maluguo-school', 'maluguo-village', 'jinhua-police'].map(
        (id) => [id, rows.get(id)?.jurisdiction_path],
      ),
    ).toEqual([
      ['changbai-joint-office', 'changbai'],
      ['changbai-civil-affairs', 'changbai'],
      ['changbai-psb', 'changbai'],
      ['changbai-education', 'changbai'],
      ['maluguo-town', 'changbai/maluguo'],
      ['maluguo-police', 'changbai/maluguo'],
      ['maluguo-school', 'changbai/maluguo/school'],
      ['maluguo-village', 'changbai/maluguo/village'],
      ['jinhua-police', 'changbai/jinhua'],
    ]);
  });

  it.each(TOWNSHIPS)('township %s (%s) has its government, police station, a village committee with a child director and a school', async (code, name) => {
    const rows = await units();
    const at = (path: string, kind: string) => rows.filter((u) => u.jurisdiction_path === path && u.kind === kind);
    const government = at(`changbai/${code}`, 'township_government');
    const police = at(`changbai/${code}`, 'police_station');
    expect(government).toHaveLength(1);
    expect(government[0]!.name).toBe(`${name}人民政府`);
    expect(government[0]!.parent_id).toBe('changbai-civil-affairs');
    expect(police).toHaveLength(1);
    expect(police[0]!.parent_id).toBe('changbai-psb');
    const villages = rows.filter((u) => u.kind === 'village_committee' && u.jurisdiction_path.startsWith(`changbai/${code}/`));
    const schools = rows.filter((u) => u.kind === 'school' && u.jurisdiction_path.startsWith(`changbai/${code}/`));
    expect(villages.length).toBeGreaterThanOrEqual(1);
    expect(schools.length).toBeGreaterThanOrEqual(1);
    for (const v of villages) expect(v.parent_id).toBe(government[0]!.id);
    for (const s of schools) expect(s.parent_id).toBe('changbai-education');
    const directors = CHILD_DIRECTORS.filter((d) => villages.some((v) => v.id === d.unitId));
    expect(directors.length).toBeGreaterThanOrEqual(1);
    for (const d of directors) expect(d.name.trim()).not.toBe('');
  });

  it('links every unit into one escalation tree that ends at the joint-meeting office', async () => {
    const rows = new Map((await units()).map((u) => [u.id, u]));
    expect(rows.get('changbai-joint-office')!.parent_id).toBeNull();
    expect(rows.get('changbai-psb')!.parent_id).toBe('changbai-joint-office');
    expect(rows.get('maluguo-village')!.parent_id).toBe('maluguo-town');
    for (const u of rows.values()) {
      const chain = [u.id];
      let at = u;
      while (at.parent_id) {
        at = rows.get(at.parent_id)!;
        expect(at).toBeDefined();
        expect(chain).not.toContain(at.id);
        chain.push(at.id);
      }
      expect(chain[chain.length - 1]).toBe('changbai-joint-office');
    }
  });

  it('is idempotent: a second seed inserts nothing and changes nothing', async () => {
    const before = await units();
    expect(await seedCountyDirectory(directory)).toBe(0);
    expect(await seedDemoDirectory(directory)).toBeNull();
    expect(await units()).toEqual(before);
  });

  const maluguoChild: ResolvableCase = {
    id: 'case-m',
    ownerUnitId: 'maluguo-police',
    jurisdictionPath: 'changbai/maluguo/school',
    subject: { childId: 'c-m', township: 'maluguo', village: 'maluguo-village', school: 'maluguo-school' },
    data: { reporter: { unitId: 'maluguo-school' } },
  };
  const jinhuaChild: ResolvableCase = {
    id: 'case-j',
    ownerUnitId: 'jinhua-police',
    jurisdictionPath: 'changbai/jinhua',
    subject: { childId: 'c-j', township: 'jinhua', village: 'jinhua-village', school: 'jinhua-school' },
    data: { reporter: { unitId: 'jinhua-village' } },
  };

  const county: Array<[role: string, unit: string]> = [
    ['county-psb', 'changbai-psb'],
    ['county-civil-affairs', 'changbai-civil-affairs'],
    ['county-education', 'changbai-education'],
    ['joint-office', 'changbai-joint-office'],
    ['procuratorate', 'changbai-procuratorate'],
    ['court', 'changbai-court'],
    ['welfare-institution', 'changbai-welfare'],
    ['service:womens-federation', 'changbai-womens-federation'],
    ['service:education', 'changbai-education'],
    ['service:health', 'changbai-health'],
    ['service:disabled-federation', 'changbai-disabled-federation'],
    ['service:youth-league', 'changbai-youth-league'],
    ['service:trade-union', 'changbai-trade-union'],
    ['service:social-work', 'changbai-social-work'],
  ];

  it.each([
    ['maluguo', maluguoChild, [['reporter', 'maluguo-school'], ['township-police', 'maluguo-police'], ['township-government', 'maluguo-town'], ['village-committee', 'maluguo-village'], ['school', 'maluguo-school']]],
    ['jinhua', jinhuaChild, [['reporter', 'jinhua-village'], ['township-police', 'jinhua-police'], ['township-government', 'jinhua-town'], ['village-committee', 'jinhua-village'], ['school', 'jinhua-school']]],
  ] as Array<[string, ResolvableCase, Array<[string, string]>]>)('resolves every UnitRole for a child in %s', async (_township, caseRow, local) => {
    const expected = [...local, ...county];
    const got: Array<[string, string[]]> = [];
    for (const [role] of expected) got.push([role, await resolver.resolve(role, caseRow)]);
    expect(got).toEqual(expected.map(([role, unit]) => [role, [unit]]));
  });

  it("resolves every role the county policy names (escalation chains and service units)", async () => {
    const roles = new Set<string>([...Object.values(CHANGBAI_POLICY.escalation).flat(), ...CHANGBAI_POLICY.serviceUnits.map((s) => s.role)]);
    expect(roles.size).toBeGreaterThan(5);
    for (const role of roles) {
      const ids = await resolver.resolve(role, jinhuaChild);
      expect(ids).toHaveLength(1);
      // County units answer for the county; the child's own school and township government for the child.
      expect(ids[0]).toMatch(role === 'school' ? /^jinhua-school$/ : role === 'township-government' ? /^jinhua-town$/ : /^changbai-/);
    }
  });

  it('keeps owner, parent and literal unit ids, and resolves a list of roles to distinct units in order', async () => {
    expect(await resolver.resolve('owner', maluguoChild)).toEqual(['maluguo-police']);
    expect(await resolver.resolve('parent', maluguoChild)).toEqual(['changbai-psb']);
    expect(await resolver.resolve('changbai-court', maluguoChild)).toEqual(['changbai-court']);
    expect(await resolver.resolve(['township-police', 'county-psb', 'owner', 'parent'], maluguoChild)).toEqual(['maluguo-police', 'changbai-psb']);
    // The kernel's own cases carry only an owner.
    expect(await resolver.resolve(['owner', 'parent'], { ownerUnitId: 'maluguo-village' })).toEqual(['maluguo-village', 'maluguo-town']);
    // A service the policy may add later is found by its kind.
    expect(await resolver.resolve('service:relief-station', maluguoChild)).toEqual(['changbai-relief']);
  });

  it('throws, naming the role and the township, when a role resolves to no unit', async () => {
    const nowhere: ResolvableCase = { ...maluguoChild, id: 'case-x', subject: { childId: 'c-x', township: 'nowhere' } };
    await expect(resolver.resolve('township-police', nowhere)).rejects.toThrow(/"township-police".*case-x.*township "nowhere".*no police_station at changbai\/nowhere/);
    await expect(resolver.resolve('township-government', nowhere)).rejects.toThrow(/"township-government".*township "nowhere"/);
    await expect(resolver.resolve('village-committee', nowhere)).rejects.toThrow(/"village-committee".*township "nowhere".*no subject\.village/);
    await expect(resolver.resolve('school', nowhere)).rejects.toThrow(/"school".*township "nowhere".*no subject\.school/);
    await expect(resolver.resolve('reporter', { ...nowhere, data: {} })).rejects.toThrow(/"reporter".*township "nowhere".*reporter\.unitId/);
    await expect(resolver.resolve('service:astrology', maluguoChild)).rejects.toThrow(/"service:astrology".*township "maluguo".*no astrology at changbai/);
    // Another county's case finds none of Changbai's units.
    await expect(resolver.resolve('county-psb', { ...maluguoChild, jurisdictionPath: 'fusong/x' })).rejects.toThrow(/"county-psb".*no public_security_bureau at fusong/);
    // One unresolvable role fails the whole notice (it is retried, then dead-lettered).
    await expect(resolver.resolve(['county-psb', 'township-police'], nowhere)).rejects.toThrow(/township-police/);
    // An unknown role that is no unit id either.
    await expect(resolver.resolve('township-hospital', maluguoChild)).rejects.toThrow(/no responsible unit "township-hospital"/);
  });

  it('refuses a subject whose village or school is another kind of unit, or a township that is no code', async () => {
    const crossed: ResolvableCase = { ...maluguoChild, subject: { childId: 'c', township: 'maluguo', village: 'maluguo-school', school: 'maluguo-village' } };
    await expect(resolver.resolve('village-committee', crossed)).rejects.toThrow(/"maluguo-school" is a school, not a village_committee/);
    await expect(resolver.resolve('school', crossed)).rejects.toThrow(/"maluguo-village" is a village_committee, not a school/);
    const sneaky: ResolvableCase = { ...maluguoChild, subject: { childId: 'c', township: 'maluguo/school' } };
    await expect(resolver.resolve('township-police', sneaky)).rejects.toThrow(/no valid subject\.township/);
  });
});

describe('the demo seed on an empty PGlite', () => {
  let db: Database;

  beforeAll(async () => {
    db = await Database.open({ kind: 'pglite', dataDir: null });
    await db.migrate();
  });

  afterAll(async () => {
    await db?.close();
  });

  it('is the county seed plus one working token per demo person, stored only as hashes', async () => {
    const directory = new DirectoryService(db);
    const tokens = await seedDemoDirectory(directory);
    expect(await directory.countUnits()).toBe(61);
    expect(tokens?.map((t) => [t.userId, t.unitId])).toEqual([
      ['teacher-li', 'maluguo-school'],
      ['officer-wang', 'maluguo-police'],
      ['caseworker-zhang', 'changbai-civil-affairs'],
      ['director-jin', 'maluguo-village'],
      ['office-park', 'changbai-joint-office'],
    ]);
    for (const t of tokens!) {
      expect(await directory.authenticate(t.token)).toMatchObject({ userId: t.userId, unitId: t.unitId, role: t.role });
    }
    const stored = (await db.em().execute('select token_hash from access_tokens order by token_hash')) as { token_hash: string }[];
    expect(stored.map((r) => r.token_hash)).toEqual(tokens!.map((t) => hashToken(t.token)).sort());
    expect(await seedDemoDirectory(directory)).toBeNull();
  });

  it('leaves a directory that already holds a unit alone', async () => {
    const other = await Database.open({ kind: 'pglite', dataDir: null });
    try {
      await other.migrate();
      const directory = new DirectoryService(other);
      await directory.addUnits([{ id: 'elsewhere', name: 'Elsewhere', kind: 'police_station', jurisdictionPath: 'fusong/x' }]);
      expect(await seedCountyDirectory(directory)).toBe(0);
      expect(await directory.countUnits()).toBe(1);
    } finally {
      await other.close();
    }
  });
});
