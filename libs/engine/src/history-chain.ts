import { createHash } from 'node:crypto';

/** The facts of one history row that the hash covers. */
export interface HistoryFacts {
  caseId: string;
  seq: number;
  eventType: string;
  payload: unknown;
  actorUserId: string;
  actorUnitId: string;
  actorRole: string;
  fromState: string | null;
  toState: string;
  at: string; // ISO 8601, UTC, milliseconds
  requestId: string | null;
}

export interface ChainedHistory extends HistoryFacts {
  prevHash: string | null;
  hash: string;
}

/** JSON with keys sorted at every depth, so the same facts always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function chainHash(prevHash: string | null, facts: HistoryFacts): string {
  return createHash('sha256')
    .update(prevHash ?? 'genesis')
    .update('\n')
    .update(canonicalJson(facts))
    .digest('hex');
}

export interface ChainVerification {
  valid: boolean;
  /** The first row whose hash or link does not hold. */
  brokenAtSeq?: number;
  reason?: string;
}

function factsOf(row: ChainedHistory): HistoryFacts {
  const { prevHash: _p, hash: _h, ...facts } = row;
  return facts;
}

/** Recomputes every link: an edited, removed or reordered row breaks the chain from there on. */
export function verifyChain(rows: readonly ChainedHistory[]): ChainVerification {
  let prev: string | null = null;
  for (const [i, row] of rows.entries()) {
    if (row.seq !== i + 1) return { valid: false, brokenAtSeq: row.seq, reason: `expected seq ${i + 1}` };
    if (row.prevHash !== prev) return { valid: false, brokenAtSeq: row.seq, reason: 'link to the previous row differs' };
    if (chainHash(prev, factsOf(row)) !== row.hash) {
      return { valid: false, brokenAtSeq: row.seq, reason: 'row content does not match its hash' };
    }
    prev = row.hash;
  }
  return { valid: true };
}
