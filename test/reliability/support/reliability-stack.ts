import { Pool } from 'pg';
import {
  ApiClient,
  createTestDatabase,
  freePort,
  prepareDatabase,
  stackEnv,
  type StackProcess,
  startProcess,
  type TestPerson,
  TOKENS,
  waitFor,
} from '../../support/stack';

/*
 * The real stack for the reliability tests: a fresh PostgreSQL database seeded with the county
 * directory and one token for every role the protection definitions name, the built API (no worker:
 * nothing may change the database behind a test's back), and a pool for reading rows back.
 */

/** One person per role, each in a unit of Maluguo township or of the county (see libs/directory county-seed). */
export const ROLE_PEOPLE: Record<string, { unitId: string; token: string }> = {
  school: { unitId: 'maluguo-school', token: TOKENS.school },
  kindergarten: { unitId: 'maluguo-school', token: 'tok-rel-kindergarten' },
  hospital: { unitId: 'changbai-health', token: 'tok-rel-hospital' },
  village: { unitId: 'maluguo-village', token: 'tok-rel-village' },
  child_director: { unitId: 'maluguo-village', token: 'tok-rel-child-director' },
  social_worker: { unitId: 'changbai-social-work', token: 'tok-rel-social-worker' },
  welfare_institution: { unitId: 'changbai-welfare', token: 'tok-rel-welfare' },
  police: { unitId: 'maluguo-police', token: TOKENS.police },
  psb: { unitId: 'changbai-psb', token: 'tok-rel-psb' },
  civil_affairs: { unitId: 'changbai-civil-affairs', token: TOKENS.civilAffairs },
  civil_affairs_supervisor: { unitId: 'changbai-civil-affairs', token: 'tok-rel-ca-supervisor' },
  township: { unitId: 'maluguo-town', token: 'tok-rel-township' },
  office: { unitId: 'changbai-joint-office', token: 'tok-rel-office' },
  education: { unitId: 'changbai-education', token: 'tok-rel-education' },
  health: { unitId: 'changbai-health', token: 'tok-rel-health' },
  service: { unitId: 'changbai-womens-federation', token: 'tok-rel-service' },
};

/** Roles seeded by stack.ts already; the rest are issued here. */
const SEEDED_BY_STACK = new Set<string>([TOKENS.school, TOKENS.police, TOKENS.civilAffairs]);

/** A registry writer of another township (Jinhua): Maluguo's files and cases are not its to see. */
export const OTHER_TOWNSHIP = { unitId: 'jinhua-town', token: 'tok-rel-jinhua-township', role: 'township' };

export const EXTRA_PEOPLE: TestPerson[] = [
  ...Object.entries(ROLE_PEOPLE)
    .filter(([, p]) => !SEEDED_BY_STACK.has(p.token))
    .map(([role, p]) => ({ userId: `rel-${role}`, userName: `reliability ${role}`, unitId: p.unitId, role, token: p.token })),
  { userId: 'rel-jinhua-township', userName: 'reliability jinhua township', ...OTHER_TOWNSHIP },
];

export interface ReliabilityStack {
  client: ApiClient;
  databaseUrl: string;
  env: Record<string, string>;
  pool: Pool;
  rows<T = Record<string, any>>(sql: string, params?: unknown[]): Promise<T[]>;
  api: StackProcess;
  stop(): Promise<void>;
}

export async function startReliabilityStack(label: string, extraEnv: Record<string, string> = {}): Promise<ReliabilityStack> {
  const db = await createTestDatabase(label);
  try {
    await prepareDatabase(db.url, EXTRA_PEOPLE);
  } catch (err) {
    await db.drop();
    throw err;
  }
  // Long kernel deadlines: no timer is due while a test runs, and no worker runs anyway.
  const env = stackEnv(db.url, await freePort(), { KERNEL_ACCEPT_WITHIN_MS: '3600000', LOG_LEVEL: 'error', ...extraEnv });
  const api = startProcess('api', env);
  const client = new ApiClient(`http://127.0.0.1:${env.PORT}`);
  const pool = new Pool({ connectionString: db.url, max: 2 });
  const stop = async () => {
    api.child.kill('SIGTERM');
    await api.exited;
    await pool.end();
    await db.drop();
  };
  try {
    await waitFor('the API to be ready', async () => (await client.call('GET', '/health/ready', null)).status === 200, 30_000);
  } catch (err) {
    const out = api.output();
    await stop();
    throw new Error(`${String(err)}\n${out}`);
  }
  return {
    client,
    databaseUrl: db.url,
    env,
    pool,
    api,
    stop,
    rows: async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[],
  };
}

/**
 * Everything a write could change, read in one statement: row counts and version sums of the case
 * tables and the registry, pending timers, acknowledged notifications, active channels. Equal
 * fingerprints before and after a refused request mean it wrote nothing.
 */
export const FINGERPRINT_SQL = `
  select
    (select count(*) from cases)::int as cases,
    (select coalesce(sum(version), 0) from cases)::int as case_versions,
    (select count(*) from case_events)::int as history,
    (select count(*) from timers)::int as timers,
    (select count(*) from timers where status = 'pending')::int as pending_timers,
    (select count(*) from outbox)::int as outbox,
    (select count(*) from inbox)::int as inbox,
    (select count(*) from inbox where acked_at is not null)::int as acked,
    (select count(*) from children)::int as children,
    (select count(*) from child_versions)::int as child_versions,
    (select count(*) from duplicate_flags)::int as duplicate_flags,
    (select count(*) from attendance)::int as attendance,
    (select count(*) from unit_channels where active)::int as channels,
    (select count(*) from deliveries)::int as deliveries,
    (select count(*) from units)::int as units,
    (select count(*) from access_tokens)::int as tokens`;

export type Fingerprint = Record<string, number>;

export async function fingerprint(stack: Pick<ReliabilityStack, 'rows'>): Promise<Fingerprint> {
  const [row] = await stack.rows<Fingerprint>(FINGERPRINT_SQL);
  return row!;
}

/** The history rows of one case, shaped for `verifyChain`. */
export async function historyOf(stack: Pick<ReliabilityStack, 'rows'>, caseId: string) {
  const rows = await stack.rows(
    `select case_id, seq, event_type, payload, actor_user_id, actor_unit_id, actor_role, from_state, to_state, at, request_id, prev_hash, hash
       from case_events where case_id = $1 order by seq`,
    [caseId],
  );
  return rows.map((r) => ({
    caseId: r.case_id as string,
    seq: r.seq as number,
    eventType: r.event_type as string,
    payload: r.payload as unknown,
    actorUserId: r.actor_user_id as string,
    actorUnitId: r.actor_unit_id as string,
    actorRole: r.actor_role as string,
    fromState: r.from_state as string | null,
    toState: r.to_state as string,
    at: r.at as string, // stored as the text that was hashed
    requestId: r.request_id as string | null,
    prevHash: r.prev_hash as string | null,
    hash: r.hash as string,
  }));
}

export const REGISTRY_CSV_HEADER = 'childId,name,birthDate,sex,ethnicity,householdRegistration,address,village,health,living,parentNames,parentPhones';

/** Imports one Maluguo child's file as the township (the registry's own CSV path); the response status. */
export async function importMaluguoChild(stack: Pick<ReliabilityStack, 'client'>, childId: string, living = 'with-parent'): Promise<number> {
  const row = [childId, '张小花', '2016-05-01', '女', '朝鲜族', '长白县马鹿沟镇', '马鹿沟村3组', 'maluguo-village', '健康', living, '父:张三;母:李四', '13812345678;13987654321'];
  const res = await fetch(`${stack.client.baseUrl}/api/v1/children/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ROLE_PEOPLE.township!.token}`, 'content-type': 'text/csv' },
    body: [REGISTRY_CSV_HEADER, row.join(',')].join('\n'),
  });
  await res.text();
  return res.status;
}

/** A notification in a unit's inbox for one of the case's outbox rows (no worker runs to deliver it). */
export async function insertNotification(stack: Pick<ReliabilityStack, 'rows'>, caseId: string, unitId: string): Promise<string> {
  const [outbox] = await stack.rows<{ id: string }>('select id from outbox where case_id = $1 order by seq limit 1', [caseId]);
  if (!outbox) throw new Error(`case ${caseId} has no outbox row`);
  const [row] = await stack.rows<{ id: string }>(
    `insert into inbox (id, unit_id, case_id, outbox_id, reason, deadline, payload, created_at)
     values (gen_random_uuid(), $1, $2, $3, 'reliability', null, '{}', now()) returning id`,
    [unitId, caseId, outbox.id],
  );
  return row!.id;
}
