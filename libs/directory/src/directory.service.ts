import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '#shouhu/engine';
import { AccessTokenEntity, type Database, UnitEntity } from '#shouhu/persistence';

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
  constructor(private readonly db: Database) {}

  async authenticate(token: string): Promise<Actor | null> {
    const em = this.db.em();
    const row = await em.findOne(AccessTokenEntity, { tokenHash: hashToken(token), revokedAt: null });
    if (!row) return null;
    const unit = await em.findOne(UnitEntity, { id: row.unitId });
    if (!unit) return null;
    return { userId: row.userId, unitId: unit.id, role: row.role, jurisdictionPath: unit.jurisdictionPath, name: row.userName };
  }

  async unit(id: string): Promise<UnitEntity | null> {
    return this.db.em().findOne(UnitEntity, { id });
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

  /** Creates a bearer token for a person in a unit and role; only its hash is stored. */
  async issueToken(input: { userId: string; userName: string; unitId: string; role: string }, token?: string): Promise<string> {
    const secret = token ?? `shouhu_${randomBytes(24).toString('base64url')}`;
    await this.db.em().insert(AccessTokenEntity, { ...input, tokenHash: hashToken(secret), createdAt: new Date(), revokedAt: null });
    return secret;
  }
}
