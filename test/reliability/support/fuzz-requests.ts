import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { CaseDefinition } from '#shouhu/engine';
import { TOKENS } from '../../support/stack';
import { MACHINE_SAMPLES } from './machine-samples';
import { OTHER_TOWNSHIP, REGISTRY_CSV_HEADER, ROLE_PEOPLE } from './reliability-stack';

/*
 * The requests the API fuzzing sends (fast-check arbitraries): values of the wrong type, huge and
 * deeply nested bodies, almost-valid bodies of every write endpoint, broken encodings, and every
 * protection event with mutated fields.
 */

export interface FuzzRequest {
  label: string;
  method: string;
  path: string;
  body: unknown;
  /** Sent as is instead of JSON (broken JSON, CSV, form data). */
  raw?: string;
  contentType?: string | null;
  token: string | null;
}

/** Ids the requests aim at; read when a request is generated, so they may be filled in after this is built. */
export interface FuzzFixtures {
  kernelCase: string;
  reportCase: string;
  inbox: string;
  channel: string;
  childId: string;
  protectionCases: Record<string, string>;
}


const TOKENS_ALL = [...Object.values(ROLE_PEOPLE).map((p) => p.token), OTHER_TOWNSHIP.token, TOKENS.otherPolice];
const token = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...TOKENS_ALL) }, { weight: 1, arbitrary: fc.constantFrom(null, 'tok-nobody', 'Bearer', ' ') });

/** Up to 1.2 MB of UTF-8 (the body limit is 1 MiB), printed short. */
class Huge {
  constructor(readonly bytes: number) {}
  toJSON(): string {
    return '长'.repeat(Math.floor(this.bytes / 3));
  }
  [fc.toStringMethod](): string {
    return `Huge(${this.bytes} bytes)`;
  }
}
const hugeString = fc.integer({ min: 10_000, max: 1_200_000 }).map((n) => new Huge(n));
const unicode = fc.string({ unit: 'grapheme', maxLength: 40 });
/** Objects and arrays nested `depth` deep, built only when the body is serialized (fast-check prints it short). */
class Deep {
  constructor(readonly depth: number) {}
  toJSON(): unknown {
    let v: unknown = 'leaf';
    for (let i = 0; i < this.depth; i++) v = i % 2 ? [v] : { n: v };
    return v;
  }
  [fc.toStringMethod](): string {
    return `Deep(${this.depth})`;
  }
}
const deep = fc.integer({ min: 20, max: 3_000 }).map((depth) => new Deep(depth));
/** Any single field value, mostly the wrong type. */
const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1.5, 2 ** 53, -0, '1', '', ' ', 'null', '__proto__', 'constructor', '../etc/passwd', '<script>', "'; drop table cases; --"),
  fc.string({ maxLength: 30 }),
  unicode,
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: hugeString },
);

/** An almost-valid body: as is, or one field dropped, replaced by a weird value, or an unknown field added; or anything at all. */
function mutated(base: Record<string, unknown>, extraKeys: string[] = []): fc.Arbitrary<unknown> {
  const keys = [...Object.keys(base), ...extraKeys, 'unknownField', '__proto__', '$at'];
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(base) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...keys), weird).map(([k, v]) => ({ ...base, [k]: v })) },
    ...(Object.keys(base).length > 0
      ? [{ weight: 1, arbitrary: fc.constantFrom(...Object.keys(base)).map((k) => Object.fromEntries(Object.entries(base).filter(([key]) => key !== k))) }]
      : []),
    { weight: 1, arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 3 }), weird) },
  );
}

/** Requests to every write endpoint, with any token. */
export function writeRequests(fx: FuzzFixtures): fc.Arbitrary<FuzzRequest> {
  const caseTypes = ['kernel-deadline', 'mandatory-report', 'emergency', 'assessment', 'dropout-return', 'quarterly-return', 'no-such-type', 'Kernel', ''];
  const eventTypes = ['ACCEPT', 'NOTE', 'CLOSE', 'REMIND_LATER', 'DISPATCH', 'GIVE_FEEDBACK', 'CONCLUDE', 'HANDOVER', 'NO_SUCH_EVENT', 'xstate.after.acceptDeadline.kernel-deadline.awaitingAcceptance', 'xstate.init', 'a'.repeat(70), '__proto__'];
  const caseId = () => fc.constantFrom(fx.kernelCase, fx.reportCase, randomUUID(), 'not-a-uuid', '00000000-0000-0000-0000-000000000000', '%2e%2e%2fhealth');


  const openCase = fc.record({
    body: mutated({ type: 'kernel-deadline', subject: { childId: 'c-f' }, ownerUnitId: 'maluguo-police' }, ['data', 'jurisdictionPath']).chain((b) =>
      fc.constantFrom(...caseTypes).map((type) => (b && typeof b === 'object' && !Array.isArray(b) && 'type' in b && typeof (b as { type: unknown }).type === 'string' ? { ...b, type } : b)),
    ),
  }).map(({ body }) => ({ label: 'POST /cases', method: 'POST', path: '/cases', body }));

  const sendEvent = fc
    .record({
      id: fc.constant(null).chain(() => caseId()),
      type: fc.oneof(fc.constantFrom(...eventTypes), weird),
      payload: fc.oneof(fc.constant(undefined), fc.constant({ text: 'n' }), fc.constant({ $at: 'x' }), fc.constant({ type: 'X' }), weird),
      expectedVersion: fc.oneof(fc.constant(undefined), fc.constantFrom(1, 2, 3, 99, 0, -1, 1.5, '2', 2 ** 31, 2 ** 53)),
      extra: fc.option(weird, { nil: undefined }),
    })
    .map(({ id, type, payload, expectedVersion, extra }) => ({
      label: 'POST /cases/:id/events',
      method: 'POST',
      path: `/cases/${id}/events`,
      body: { type, payload, expectedVersion, ...(extra === undefined ? {} : { colour: extra }) },
    }));

  const fileReport = mutated({ child: { childId: 'c-f', township: 'maluguo' }, triggers: ['ALONE_NO_GUARDIAN'], description: 'fuzz' }).chain((body) =>
    fc.oneof(
      fc.constant(body),
      fc.tuple(fc.constantFrom('childId', 'township', 'village', 'school', 'name', 'extra'), weird).map(([k, v]) => ({ child: { childId: 'c-f', township: 'maluguo', [k]: v }, triggers: ['MISSING'], description: 'x' })),
      fc.array(fc.oneof(fc.constantFrom('ALONE_NO_GUARDIAN', 'NOT_A_TRIGGER', 'S1_PRIVATE_PARTS_INJURY'), unicode), { maxLength: 25 }).map((triggers) => ({ child: { childId: 'c-f', township: 'maluguo' }, triggers, description: 'x' })),
      fc.constantFrom('atlantis', 'jinhua', 'maluguo').chain((township) => fc.constantFrom('maluguo-village', 'jinhua-village', 'maluguo-school', 'nowhere').map((village) => ({ child: { childId: 'c-f', township, village }, triggers: ['MISSING'], description: 'x' }))),
    ).map((b) => ({ label: 'POST /reports', method: 'POST', path: '/reports', body: b })),
  );

  const CHILD = {
    childId: 'c-new', name: '李小军', birthDate: '2015-09-10', sex: 'male', ethnicity: '汉族', householdRegistration: '长白县马鹿沟镇',
    address: '马鹿沟村1组', township: 'maluguo', village: 'maluguo-village', health: '健康', living: 'with-parent',
  };
  const createChild = mutated(CHILD, ['idNumber', 'parents', 'entrustedGuardian', 'keyChild', 'boarding']).map((body) => ({ label: 'POST /children', method: 'POST', path: '/children', body }));
  const patchChild = fc
    .tuple(fc.constantFrom(fx.childId, 'c-nobody', '..', 'c-' + 'x'.repeat(80), '%E9%95%BF'), mutated({ health: '健康' }, ['expectedVersion', 'living', 'birthDate', 'idNumber', 'township', 'childId', 'parents']))
    .map(([id, body]) => ({ label: 'PATCH /children/:id', method: 'PATCH', path: `/children/${id}`, body }));

  const ROW = { childId: 'c-a1', childName: '王小明', township: 'maluguo', village: 'maluguo-village', className: '三年级二班', date: '2026-03-02', status: 'absent', reason: null };
  const attendance = fc.oneof(
    fc.array(mutated(ROW), { maxLength: 4 }).map((rows) => ({ label: 'POST /schools/attendance', method: 'POST', path: '/schools/attendance', body: { rows } })),
    mutated({ rows: [ROW] }).map((body) => ({ label: 'POST /schools/attendance', method: 'POST', path: '/schools/attendance', body })),
    fc.array(fc.array(fc.oneof(fc.string({ maxLength: 12 }), unicode, fc.constantFrom('"', ',', '\n', 'absent', '2026-02-30')), { maxLength: 9 }), { maxLength: 5 }).map((rows) => ({
      label: 'POST /schools/attendance (csv)',
      method: 'POST',
      path: '/schools/attendance',
      body: undefined,
      raw: ['childId,childName,township,village,className,date,status,reason', ...rows.map((r) => r.join(','))].join('\n'),
      contentType: 'text/csv',
    })),
  );
  const importChildren = fc
    .tuple(fc.array(fc.array(fc.oneof(fc.string({ maxLength: 12 }), unicode, fc.constantFrom('"', ',', '独居', '2016-05-01', 'maluguo-village')), { maxLength: 13 }), { maxLength: 4 }), fc.constantFrom('', '?township=maluguo', '?township=jinhua', '?township=ATLANTIS', '?township=%00'))
    .map(([rows, query]) => ({
      label: 'POST /children/import',
      method: 'POST',
      path: `/children/import${query}`,
      body: undefined,
      raw: [REGISTRY_CSV_HEADER, ...rows.map((r) => r.join(','))].join('\n'),
      contentType: 'text/csv',
    }));
  const ack = fc.constantFrom('inbox', 'random', 'bad').map((which) => ({
    label: 'POST /inbox/:id/ack',
    method: 'POST',
    path: `/inbox/${which === 'inbox' ? fx.inbox : which === 'random' ? randomUUID() : 'x%20y'}/ack`,
    body: undefined,
  }));
  const channels = fc.oneof(
    mutated({ kind: 'webhook', target: 'https://example.org/hook', secret: 'a-long-enough-secret' }).map((body) => ({ label: 'POST /channels', method: 'POST', path: '/channels', body })),
    fc.constantFrom('channel', 'random', 'bad').map((which) => ({ label: 'DELETE /channels/:id', method: 'DELETE', path: `/channels/${which === 'channel' ? fx.channel : which === 'random' ? randomUUID() : 'nope'}`, body: undefined })),
  );
  const quarterly = mutated({ quarter: '2026-Q2' }).map((body) => ({ label: 'POST /registry/quarterly-returns', method: 'POST', path: '/registry/quarterly-returns', body }));

  /** The same requests with a broken body or content type. */
  const badEncoding = fc
    .tuple(
      fc.constantFrom('/cases', `/cases/{case}/events`, '/reports', '/children', '/schools/attendance', '/registry/quarterly-returns', '/channels'),
      fc.oneof(fc.constantFrom('{"type":', '{', '[', 'null', '"str"', '1e999', '{"a":1}{"b":2}', '\u0000', '{"__proto__":{"polluted":1}}', ''), fc.string({ maxLength: 30 }), unicode),
      fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/csv', 'application/xml', null),
    )
    .map(([path, raw, contentType]) => ({ label: `POST ${path} (raw ${contentType})`, method: 'POST', path: path.replace('{case}', fx.kernelCase), body: undefined, raw, contentType }));

  return fc
    .tuple(
      fc.oneof(openCase, { weight: 3, arbitrary: sendEvent }, fileReport, createChild, patchChild, attendance, importChildren, ack, channels, quarterly, { weight: 2, arbitrary: badEncoding }),
      token,
    )
    .map(([r, t]) => ({ ...r, token: t }) as FuzzRequest);
}

/** Every person's event of every protection case type, by a role allowed to send it (on a case it sees), the sample's fields mutated. */
export function protectionEvents(fx: FuzzFixtures, definitions: readonly CaseDefinition[]): fc.Arbitrary<FuzzRequest> {
  // Wrong types reach the machines' guards and actions.
  return fc
    .constantFrom(...MACHINE_SAMPLES.flatMap((sample) => sample.events.filter((e) => !e.type.startsWith('xstate.')).map((event) => ({ sample, event }))))
    .chain(({ sample, event }) => {
      const { type, $at: _at, $actor: _actor, ...fields } = event;
      const roles = definitions.find((d) => d.id === sample.type)!.permissions.events[type]!;
      return fc.tuple(mutated(fields), fc.constantFrom(...roles)).map(([payload, role]) => ({
        label: `${sample.type} ${type}`,
        method: 'POST',
        path: `/cases/${fx.protectionCases[sample.type]}/events`,
        body: { type, payload },
        token: ROLE_PEOPLE[role]!.token,
      }));
    });
}
