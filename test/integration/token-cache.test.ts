import { DirectoryService } from '#shouhu/directory';
import { Database } from '#shouhu/persistence';

/*
 * Authentication through the token cache on embedded PGlite: a cached token costs no query, a
 * revocation through the service is seen at once, one made behind its back only after the TTL.
 */

jest.setTimeout(60_000);

describe('DirectoryService token cache (PGlite)', () => {
  let db: Database;
  let now = 0;
  let directory: DirectoryService;

  beforeAll(async () => {
    db = await Database.open({ kind: 'pglite', dataDir: null });
    await db.migrate();
    directory = new DirectoryService(db, { ttlMs: 5000, maxEntries: 100, now: () => now });
    await directory.addUnits([{ id: 'station', name: 'Station', kind: 'police', jurisdictionPath: 'county/town' }]);
  });

  afterAll(async () => {
    await db.close();
  });

  const revokeBehindItsBack = (token: string) =>
    db.em().execute(`update access_tokens set revoked_at = now() where token_hash = encode(sha256(?::bytea), 'hex')`, [token]);

  it('a token revoked in the database directly still authenticates until the TTL ends', async () => {
    const token = await directory.issueToken({ userId: 'p1', userName: 'P One', unitId: 'station', role: 'police' });
    const actor = await directory.authenticate(token);
    expect(actor).toMatchObject({ userId: 'p1', unitId: 'station', role: 'police', jurisdictionPath: 'county/town' });
    await revokeBehindItsBack(token);
    now += 4999;
    expect(await directory.authenticate(token)).toEqual(actor);
    now += 1;
    expect(await directory.authenticate(token)).toBeNull();
  });

  it('revokeToken() refuses the token at once and reports whether it was live', async () => {
    const token = await directory.issueToken({ userId: 'p2', userName: 'P Two', unitId: 'station', role: 'police' });
    expect(await directory.authenticate(token)).toMatchObject({ userId: 'p2' });
    expect(await directory.revokeToken(token)).toBe(true);
    expect(await directory.authenticate(token)).toBeNull();
    expect(await directory.revokeToken(token)).toBe(false);
  });

  it('a caller changing the returned actor does not change what the cache answers', async () => {
    const token = await directory.issueToken({ userId: 'p3', userName: 'P Three', unitId: 'station', role: 'police' });
    const first = (await directory.authenticate(token))!;
    first.role = 'county_admin';
    expect((await directory.authenticate(token))!.role).toBe('police');
  });
});
