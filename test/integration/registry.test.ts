import { type Actor, BadRequestError, ConflictError, ManualClock } from '#shouhu/engine';
import { Database } from '#shouhu/persistence';
import { type ChildInput, ChildRegistry, idCheckDigit } from '#shouhu/registry';
import { DATABASE_TARGETS } from '../support/databases';

/*
 * The registry (一人一档案): files, versions, ID-number uniqueness, duplicate flags and merge, masking
 * and the read log, on embedded PGlite and on a throwaway database of this machine's PostgreSQL.
 */

jest.setTimeout(60_000);

const targets = DATABASE_TARGETS;

/** A valid ID number for a birth date (GB 11643 check digit). */
const idFor = (birthDate: string, seq = '123') => {
  const first17 = `222426${birthDate.replace(/-/g, '')}${seq}`;
  return first17 + idCheckDigit(first17);
};
const actor = (role: string, userId: string): Actor => ({ userId, unitId: `${role}-unit`, role, jurisdictionPath: 'changbai/maluguo' });
const CLERK = actor('civil_affairs', 'clerk-zhao');
const POLICE = actor('police', 'officer-wang');
const CADRE = actor('township', 'cadre-liu');
const TEACHER = actor('school', 'teacher-li');

const child = (childId: string, over: Partial<ChildInput> = {}): ChildInput => ({
  childId, idNumber: idFor('2014-05-06', childId.slice(-3).padStart(3, '0').replace(/\D/g, '7')), name: `王小${childId}`, birthDate: '2014-05-06', sex: 'female', ethnicity: '朝鲜族',
  householdRegistration: '吉林省长白县马鹿沟镇', address: '马鹿沟村3组', township: 'maluguo', village: 'maluguo-village', health: '健康',
  parents: [{ relation: 'father', name: '王大山', workLocation: '韩国', phone: '13812345678', callsPerMonth: 2 }],
  entrustedGuardian: { name: '王奶奶', relation: '祖母', phone: '13987654321', confirmationSigned: true, confirmationDate: '2026-01-05' },
  living: 'with-entrusted-guardian', ...over,
});

async function failure(work: Promise<unknown>): Promise<any> {
  return work.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e);
}

describe.each(targets)('registry on %s', (_label, open) => {
  let h: { db: Database; dispose(): Promise<void> } | undefined;
  const clock = new ManualClock('2026-03-02T09:00:00+08:00');
  let reg: ChildRegistry;
  const q = <T = Record<string, any>>(sql: string, params: unknown[] = []) => h!.db.em().execute(sql, params) as Promise<T[]>;

  beforeAll(async () => {
    h = await open();
    await h.db.migrate();
    reg = new ChildRegistry(h.db, clock);
  });
  afterAll(() => h?.dispose());
  beforeEach(() => q('truncate duplicate_flags, child_file_reads, child_versions, children'));

  it('creates a file and versions every change: who, when, which fields from what to what', async () => {
    const { file, duplicateFlags } = await reg.create(child('C001'), CADRE);
    expect([file.version, file.updatedBy, duplicateFlags.length]).toEqual([1, 'cadre-liu', 0]);
    clock.set('2026-03-05T10:00:00+08:00');
    const updated = await reg.update('C001', { living: 'alone', entrustedGuardian: null, school: '马鹿沟镇中心小学' }, CLERK, 1);
    expect([updated.version, updated.living, updated.school]).toEqual([2, 'alone', '马鹿沟镇中心小学']);
    const history = await reg.history('C001', CLERK);
    expect(history.map((v) => [v.version, v.changedBy, v.changedAt.toISOString()])).toEqual([
      [1, 'cadre-liu', '2026-03-02T01:00:00.000Z'], [2, 'clerk-zhao', '2026-03-05T02:00:00.000Z']]);
    expect(Object.keys(history[1]!.changes).sort()).toEqual(['entrustedGuardian', 'living', 'school']);
    expect(history[1]!.changes.living).toEqual({ from: 'with-entrusted-guardian', to: 'alone' });
    expect(history[1]!.snapshot.living).toBe('alone');
    // no change → no version
    expect((await reg.update('C001', { living: 'alone' }, CLERK)).version).toBe(2);
    const bad = await failure(reg.update('C001', { sex: 'x' as never, birthDate: '2030-01-01' }, CLERK));
    expect(bad).toBeInstanceOf(BadRequestError);
    expect(bad.details.errors.map((e: any) => e.field)).toEqual(['birthDate', 'sex', 'idNumber']);
  });

  it('rejects a stale expected version and writes nothing', async () => {
    await reg.create(child('C002'), CADRE);
    await reg.update('C002', { health: '哮喘' }, CADRE, 1);
    const err = await failure(reg.update('C002', { health: '健康' }, CLERK, 1));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.details).toEqual({ childId: 'C002', expectedVersion: 1, version: 2 });
    expect((await q('select count(*)::int as n from child_versions where child_id = ?', ['C002']))[0]!.n).toBe(2);
  });

  it('one ID number, one file: a second file with it is a 409 naming the holder', async () => {
    await reg.create(child('C003'), CADRE);
    const err = await failure(reg.create(child('C004', { idNumber: idFor('2014-05-06', '003') }), CADRE));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.details).toEqual({ field: 'idNumber', heldBy: 'C003' });
    expect(err.message).toContain('C003');
    await reg.create(child('C004', { idNumber: idFor('2014-05-06', '004') }), CADRE);
    const upd = await failure(reg.update('C004', { idNumber: idFor('2014-05-06', '003') }, CLERK));
    expect(upd.details.heldBy).toBe('C003');
    expect((await q('select count(*)::int as n from children'))[0]!.n).toBe(2);
  });

  it('flags likely duplicates (same name + birth + township; a one-character variant) and still creates the file', async () => {
    await reg.create(child('C010', { name: '金敏浩', idNumber: null }), CADRE);
    const same = await reg.create(child('C011', { name: '金敏浩', idNumber: null }), CADRE);
    expect(same.duplicateFlags.map((f) => [f.childId, f.otherChildId, f.reason, f.status])).toEqual([['C011', 'C010', 'same-name-birth-township', 'open']]);
    const variant = await reg.create(child('C012', { name: '金民浩', idNumber: null }), CADRE);
    expect(variant.duplicateFlags.map((f) => [f.otherChildId, f.reason])).toEqual([['C010', 'similar-name'], ['C011', 'similar-name']]);
    const elsewhere = await reg.create(child('C013', { name: '金敏浩', idNumber: null, township: 'jinhua' }), CADRE);
    const otherDay = await reg.create(child('C014', { name: '金敏浩', idNumber: null, birthDate: '2014-05-07' }), CADRE);
    const farName = await reg.create(child('C015', { name: '李敏', idNumber: null }), CADRE);
    expect([elsewhere, otherDay, farName].map((r) => r.duplicateFlags.length)).toEqual([0, 0, 0]);
    const dismissed = await reg.dismissFlag(variant.duplicateFlags[0]!.id, CLERK);
    expect([dismissed.status, dismissed.resolvedBy]).toEqual(['dismissed', 'clerk-zhao']);
    expect(await failure(reg.dismissFlag(variant.duplicateFlags[0]!.id, CLERK))).toBeInstanceOf(ConflictError);
  });

  it('merges two files keeping both histories; the dropped file no longer lists', async () => {
    clock.set('2026-03-02T09:00:00+08:00');
    await reg.create(child('C020', { name: '朴志勇', idNumber: null, school: null }), CADRE);
    clock.set('2026-03-02T10:00:00+08:00');
    const dup = await reg.create(child('C021', { name: '朴志勇', school: '十四道沟小学', idNumber: idFor('2014-05-06', '021') }), TEACHER);
    clock.set('2026-03-02T11:00:00+08:00');
    await reg.update('C020', { health: '近视' }, CADRE);
    clock.set('2026-03-02T12:00:00+08:00');
    const merged = await reg.merge('C020', 'C021', CLERK);
    expect([merged.mergeVersion, merged.flagsMerged, merged.file.school]).toEqual([3, 1, '十四道沟小学']);
    const full = await reg.get('C020', CLERK);
    expect(full.idNumber).toBe(idFor('2014-05-06', '021'));
    const history = await reg.history('C020', CLERK);
    expect(history.map((v) => `${v.childId}@${v.version}:${v.changedBy}`)).toEqual(['C020@1:cadre-liu', 'C021@1:teacher-li', 'C020@2:cadre-liu', 'C021@2:clerk-zhao', 'C020@3:clerk-zhao']);
    expect(history.at(-1)!.changes.mergedFrom).toEqual({ from: null, to: 'C021' });
    expect((await reg.flags('C020')).map((f) => [f.id, f.status])).toEqual([[dup.duplicateFlags[0]!.id, 'merged']]);
    expect((await reg.list({ township: 'maluguo' }, CLERK)).items.map((f) => f.childId)).toEqual(['C020']);
    expect((await reg.get('C021', CLERK)).mergedInto).toBe('C020');
    expect(await failure(reg.merge('C020', 'C021', CLERK))).toMatchObject({ kind: 'unprocessable' });
  });

  it('masks the ID number and phones unless the role may see them; only full reads are logged', async () => {
    await reg.create(child('C030', { idNumber: idFor('2014-05-06', '030') }), CADRE);
    const masked = await reg.get('C030', TEACHER);
    expect([masked.masked, masked.idNumber, masked.parents[0]!.phone, masked.entrustedGuardian!.phone]).toEqual([true, '2224**********' + idFor('2014-05-06', '030').slice(-4), '138****5678', '139****4321']);
    expect((await reg.get('C030', CADRE)).masked).toBe(true);
    expect((await reg.history('C030', TEACHER))[0]!.snapshot.idNumber).toMatch(/^2224\*{10}/);
    clock.set('2026-03-06T08:00:00+08:00');
    for (const a of [CLERK, POLICE, actor('psb', 'psb-chen'), actor('civil_affairs_supervisor', 'chief-sun')]) {
      const full = await reg.get('C030', a);
      expect([a.role, full.masked, full.idNumber, full.parents[0]!.phone]).toEqual([a.role, false, idFor('2014-05-06', '030'), '13812345678']);
    }
    const reads = await q(`select user_id, unit_id, role, at from child_file_reads where child_id = 'C030' order by role`);
    expect(reads.map((r) => `${r.user_id}/${r.role}`)).toEqual(['clerk-zhao/civil_affairs', 'chief-sun/civil_affairs_supervisor', 'officer-wang/police', 'psb-chen/psb']);
    expect(new Date(reads[0]!.at).toISOString()).toBe('2026-03-06T00:00:00.000Z');
  });

  it('lists with filters, paged, always masked (even for civil affairs), and logs no read', async () => {
    await reg.create(child('C040', { name: '甲', idNumber: idFor('2014-05-06', '040') }), CADRE);
    await reg.create(child('C041', { name: '乙', idNumber: null, living: 'alone', entrustedGuardian: null, keyChild: true }), CADRE);
    await reg.create(child('C042', { name: '丙', idNumber: null, village: 'other-village' }), CADRE);
    const all = await reg.list({ township: 'maluguo', limit: 2 }, CLERK);
    expect([all.total, all.items.length, all.items.every((f) => f.masked)]).toEqual([3, 2, true]);
    expect(all.items.find((f) => f.childId === 'C040')!.idNumber).toMatch(/^2224\*{10}\d{3}[\dX]$/);
    expect(all.items[0]!.parents[0]!.phone).toBe('138****5678');
    expect((await reg.list({ living: 'alone', keyChild: true }, CLERK)).items.map((f) => f.childId)).toEqual(['C041']);
    expect((await reg.list({ village: 'other-village' }, CLERK)).items.map((f) => f.childId)).toEqual(['C042']);
    expect((await reg.list({ township: 'maluguo', limit: 2, offset: 2 }, CLERK)).items.length).toBe(1);
    expect((await q('select count(*)::int as n from child_file_reads'))[0]!.n).toBe(0);
  });
});
