/** Who sends an event: a person acting for a unit in a role, or the engine itself. */
export interface Actor {
  userId: string;
  unitId: string;
  role: string;
  /** The area the actor's unit answers for, e.g. `changbai/maluguo`; '' is everywhere. */
  jurisdictionPath: string;
  name?: string;
}

export const SYSTEM_ROLE = 'system';

/** The engine acting on its own (a deadline firing). It bypasses permissions, never jurisdiction rules of data. */
export const SYSTEM_ACTOR: Actor = Object.freeze({
  userId: 'system',
  unitId: 'system',
  role: SYSTEM_ROLE,
  jurisdictionPath: '',
  name: 'Shouhu engine',
});

/** True when `path` lies inside `scope` (segment-wise, so `a/b` does not contain `a/bc`). */
export function withinJurisdiction(scope: string, path: string): boolean {
  if (scope === '') return true;
  return path === scope || path.startsWith(`${scope}/`);
}
