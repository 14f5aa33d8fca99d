import type { Actor } from '#shouhu/engine';
import { TokenCache } from './token-cache';

const actor = (userId: string): Actor => ({ userId, unitId: 'u1', role: 'police', jurisdictionPath: 'county/town' });

describe('TokenCache', () => {
  let now = 0;
  const cache = (ttlMs = 1000, maxEntries = 3) => new TokenCache({ ttlMs, maxEntries, now: () => now });

  beforeEach(() => {
    now = 0;
  });

  it('answers a token until its entry is ttlMs old, then asks again (the entry is dropped)', () => {
    const c = cache();
    c.set('h1', actor('a'));
    now = 999;
    expect(c.get('h1')).toEqual(actor('a'));
    now = 1000;
    expect(c.get('h1')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('forget() drops a token at once (revocation in this process)', () => {
    const c = cache();
    c.set('h1', actor('a'));
    c.forget('h1');
    expect(c.get('h1')).toBeUndefined();
  });

  it('keeps at most maxEntries, evicting the least recently used', () => {
    const c = cache(1000, 2);
    c.set('h1', actor('a'));
    c.set('h2', actor('b'));
    expect(c.get('h1')).toEqual(actor('a')); // h1 used last: h2 is now the oldest
    c.set('h3', actor('c'));
    expect(c.size).toBe(2);
    expect(c.get('h2')).toBeUndefined();
    expect(c.get('h1')).toEqual(actor('a'));
    expect(c.get('h3')).toEqual(actor('c'));
  });

  it('a set of an existing token restarts its time to live', () => {
    const c = cache();
    c.set('h1', actor('a'));
    now = 800;
    c.set('h1', actor('a2'));
    now = 1500;
    expect(c.get('h1')).toEqual(actor('a2'));
  });

  it('ttlMs 0 turns caching off', () => {
    const c = cache(0);
    c.set('h1', actor('a'));
    expect(c.get('h1')).toBeUndefined();
  });
});
