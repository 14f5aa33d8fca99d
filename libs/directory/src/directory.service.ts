import { createHash, randomBytes } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Actor } from '#shouhu/engine';
import { AccessTokenEntity, type Database, UnitEntity } from '#shouhu/persistence';
import { TOKEN_CACHE_DEFAULTS, TokenCache, type TokenCacheOptions } from './token-cache';

export interface UnitInput {
  id: string;
  name: string;
  kind: string;
  parentId?: string | null;
  jurisdictionPath: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Responsible units, the people acting for them, and who may see what. */
export class DirectoryService {
  private readonly tokens: TokenCache;

  constructor(
    private readonly db: Database,
    tokenCache: TokenCacheOptions = TOKEN_CACHE_DEFAULTS,
  ) {
    this.tokens = new TokenCache(tokenCache);
  }

  /** The actor behind a bearer token; cached for a few seconds (see TokenCache), unknown tokens are not. */
  async authenticate(token: string): Promise<Actor | null> {
    const tokenHash = hashToken(token);
    const cached = this.tokens.get(tokenHash);
    if (cached) return { ...cached };
    const em = this.db.em();
    const row = await em.findOne(AccessTokenEntity, { tokenHash, revokedAt: null });
    if (!row) return null;
    const unit = await em.findOne(UnitEntity, { id: row.unitId });
    if (!unit) return null;
    const actor = { userId: row.userId, unitId: unit.id, role: row.role, jurisdictionPath: unit.jurisdictionPath, name: row.userName };
    this.tokens.set(tokenHash, actor);
    return { ...actor };
  }

  /** Revokes a token: refused at once by this process, by others once their cache entry expires. */
  async revokeToken(token: string, at: Date = new Date()): Promise<boolean> {
    const tokenHash = hashToken(token);
    this.tokens.forget(tokenHash);
    return (await this.db.em().nativeUpdate(AccessTokenEntity, { tokenHash, revokedAt: null }, { revokedAt: at })) === 1;
  }

  async unit(id: string): Promise<UnitEntity | null> {
    return this.db.em().findOne(UnitEntity, { id });
  }

  /**
   * The unit of one of `kinds` whose area is exactly `jurisdictionPath` (the township's police
   * station at `changbai/maluguo`, the county's procuratorate at `changbai`); the lowest id when
   * several share the area, so the answer is stable.
   */
  async unitOfKindAt(kinds: string | readonly string[], jurisdictionPath: string): Promise<UnitEntity | null> {
    const kind = typeof kinds === 'string' ? kinds : { $in: [...kinds] };
    return this.db.em().findOne(UnitEntity, { kind, jurisdictionPath }, { orderBy: { id: 'asc' } });
  }

  /** Every unit of a kind inside an area (e.g. the county's township governments), by id. */
  async unitsOfKind(kind: string, withinPath: string): Promise<UnitEntity[]> {
    return this.db.em().find(
      UnitEntity,
      { kind, $or: [{ jurisdictionPath: withinPath }, { jurisdictionPath: { $like: `${withinPath}/%` } }] },
      { orderBy: { id: 'asc' } },
    );
  }

  async countUnits(): Promise<number> {
    return this.db.em().count(UnitEntity, {});
  }

  async addUnits(units: readonly UnitInput[]): Promise<void> {
    const now = new Date();
    await this.db.em().insertMany(
      UnitEntity,
      units.map((u) => ({ ...u, parentId: u.parentId ?? null, createdAt: now })),
    );
  }

  /**
   * Inserts `units` (parents first) only if the directory holds no unit yet, in one transaction;
   * returns how many it inserted: 0 when the directory was not empty or a concurrent seeder won.
   */
  async addUnitsToEmptyDirectory(units: readonly UnitInput[]): Promise<number> {
    try {
      return await this.db.em().transactional(async (em) => {
        if ((await em.count(UnitEntity, {})) > 0) return 0;
        const now = new Date();
        await em.insertMany(
          UnitEntity,
          units.map((u) => ({ id: u.id, name: u.name, kind: u.kind, parentId: u.parentId ?? null, jurisdictionPath: u.jurisdictionPath, createdAt: now })),
        );
        return units.length;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException && (await this.countUnits()) > 0) return 0;
      throw err;
    }
  }

  /** Creates a bearer token for a person in a unit and role; only its hash is stored. */
  async issueToken(input: { userId: string; userName: string; unitId: string; role: string }, token?: string): Promise<string> {
    const secret = token ?? `shouhu_${randomBytes(24).toString('base64url')}`;
    await this.db.em().insert(AccessTokenEntity, { ...input, tokenHash: hashToken(secret), createdAt: new Date(), revokedAt: null });
    return secret;
  }
}
