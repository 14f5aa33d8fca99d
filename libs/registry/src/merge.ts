import { type Actor, BadRequestError, NotFoundError, UnprocessableError } from '#shouhu/engine';
import { maskedView } from './mask';
import { dataOf, diff, loadFile, type Tx, updateFile, writeVersion } from './store';
import type { ChildData, ChildView } from './types';

export interface MergeResult {
  /** The kept file after the merge (masked). */
  file: ChildView;
  /** The kept file's merge version: its changes hold `mergedFrom: { from: null, to: dropId }`. */
  mergeVersion: number;
  /** Flags between the two files marked 'merged'. */
  flagsMerged: number;
}

/** Fields the kept file takes from the dropped one when it has none itself. */
const FILL: (keyof ChildData)[] = ['idNumber', 'school', 'className', 'disability', 'entrustedGuardian', 'contactPerson', 'childDirector'];

/**
 * Merges `dropId` into `keepId`. History is kept by reference, not moved: the dropped file keeps its
 * own versions and gets one more (`mergedInto`), is marked `merged_into = keepId` and no longer lists;
 * the kept file gets a merge version whose changes carry `mergedFrom` and the fields it took over
 * (values it lacked: ID number, school, guardian... ; parents when it had none; key child if either
 * was). `history(keepId)` returns both files' versions. Open flags between the two become 'merged';
 * other open flags on the dropped file are moved to the kept one.
 */
export async function mergeFiles(em: Tx, keepId: string, dropId: string, actor: Actor, now: Date): Promise<MergeResult> {
  if (keepId === dropId) throw new BadRequestError('a file cannot be merged into itself', { keepId, dropId });
  // Lock in a fixed order so two merges of the same pair cannot deadlock.
  const [a, b] = [keepId, dropId].sort();
  const first = await loadFile(em, a!, true);
  const second = await loadFile(em, b!, true);
  const keep = a === keepId ? first : second;
  const drop = a === keepId ? second : first;
  if (!keep) throw new NotFoundError('child', keepId);
  if (!drop) throw new NotFoundError('child', dropId);
  for (const f of [keep, drop]) {
    if (f.mergedInto) throw new UnprocessableError(`file ${f.childId} was already merged into ${f.mergedInto}`, { childId: f.childId, mergedInto: f.mergedInto });
  }

  const kept = dataOf(keep);
  const merged: ChildData = { ...kept };
  for (const f of FILL) if (merged[f] === null && drop[f] !== null) (merged as any)[f] = drop[f];
  if (merged.parents.length === 0) merged.parents = drop.parents;
  merged.keyChild = keep.keyChild || drop.keyChild;

  // The dropped file gives up its ID number first (it is unique).
  const dropData = { ...dataOf(drop), idNumber: null };
  await updateFile(em, dropId, drop.version, dropData, actor.userId, now, keepId);
  await writeVersion(em, dropId, drop.version + 1, actor.userId, now, { ...diff(dataOf(drop), dropData), mergedInto: { from: null, to: keepId } }, { childId: dropId, ...dropData, mergedInto: keepId });

  await updateFile(em, keepId, keep.version, merged, actor.userId, now);
  const changes = { ...diff(kept, merged), mergedFrom: { from: null, to: dropId } };
  await writeVersion(em, keepId, keep.version + 1, actor.userId, now, changes, { childId: keepId, ...merged, mergedFrom: [dropId] });

  const flagged = await em.execute(
    `update duplicate_flags set status = 'merged', resolved_by = ?, resolved_at = ?
      where status = 'open' and ((child_id = ? and other_child_id = ?) or (child_id = ? and other_child_id = ?)) returning id`,
    [actor.userId, now, keepId, dropId, dropId, keepId],
  );
  await em.execute(`update duplicate_flags set child_id = ? where status = 'open' and child_id = ? and other_child_id <> ?`, [keepId, dropId, keepId]);
  await em.execute(`update duplicate_flags set other_child_id = ? where status = 'open' and other_child_id = ? and child_id <> ?`, [keepId, dropId, keepId]);
  return { file: maskedView((await loadFile(em, keepId))!), mergeVersion: keep.version + 1, flagsMerged: flagged.length };
}
