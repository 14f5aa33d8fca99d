import { readFileSync } from 'node:fs';
import { Duration } from 'luxon';
import { z } from 'zod';
import type { ProtectionPolicy } from './policy.types';

const deadline = z
  .object({ duration: z.string(), calendar: z.enum(['natural', 'working']), source: z.string().min(1, 'every deadline cites its source') })
  .refine((d) => Duration.fromISO(d.duration).isValid, { message: 'duration must be an ISO 8601 duration such as PT15M or P3D' });

const reason = z.object({ code: z.string().regex(/^[A-Z0-9_]+$/), zh: z.string(), en: z.string(), source: z.string().min(1) });
const role = z.string().regex(/^(service:)?[a-z][a-z-]*$/);

const DEADLINE_KEYS = [
  'reportAccept', 'reportFeedback', 'dispatch', 'guardianInPlace', 'assessment', 'planApproval',
  'referralAnswer', 'followUpEvery', 'correctionPeriod', 'guardianshipRefusal', 'courtApplication',
] as const;
const CHAIN_KEYS = [
  'reportAccept', 'reportFeedback', 'assessment', 'guardianInPlace', 'referralAnswer', 'courtApplication',
  'reachGuardian', 'writtenReportAck', 'guardianOrderCompliance', 'quarterlyReturn', 'yearlySummary', 'policeVerification',
] as const;

const schema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  version: z.string().min(1),
  zone: z.literal('Asia/Shanghai'),
  title: z.string(),
  deadlines: z.object(Object.fromEntries(DEADLINE_KEYS.map((k) => [k, deadline])) as Record<(typeof DEADLINE_KEYS)[number], typeof deadline>).strict(),
  reportTriggers: z.array(reason).min(1),
  obligedReporterRoles: z.array(z.string()).min(1),
  temporaryGuardianshipGrounds: z.array(reason).min(1),
  revocationGrounds: z.array(reason).min(1),
  school: z
    .object({
      reachGuardian: deadline,
      dropoutAfterSchoolDays: z.number().int().min(1).max(200),
      persuasionReminderEvery: deadline,
      failedVisitsBeforeReport: z.number().int().min(1).max(20),
      persuasionPeriod: deadline,
      writtenReportAck: deadline,
      guardianOrderCompliance: deadline,
    })
    .strict(),
  registry: z
    .object({
      quarterlyReturnDay: z.number().int().min(1).max(28),
      reminderBefore: deadline,
      yearlySummaryDue: z.object({ month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(28), source: z.string().min(1) }),
      discrepancyAnswer: deadline,
      policeVerification: deadline,
      keyChildVisitEvery: deadline,
      livingAloneUnder: z.number().int().min(1).max(18),
      unattendedUnder: z.number().int().min(1).max(18),
    })
    .strict(),
  serviceUnits: z.array(z.object({ role: z.string().regex(/^service:[a-z-]+$/), zh: z.string(), en: z.string() })),
  escalation: z.object(Object.fromEntries(CHAIN_KEYS.map((k) => [k, z.array(role).min(1)])) as Record<(typeof CHAIN_KEYS)[number], z.ZodArray<typeof role>>).strict(),
});

export class PolicyError extends Error {}

/** Validates a county policy (from a JSON file or an object): every deadline, code and chain present and well formed. */
export function parsePolicy(value: unknown, origin = 'policy'): ProtectionPolicy {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PolicyError(`${origin} is not a valid protection policy:\n  - ${problems.join('\n  - ')}`);
  }
  return parsed.data as ProtectionPolicy;
}

export function loadPolicyFile(path: string): ProtectionPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new PolicyError(`cannot read the protection policy ${path}: ${(err as Error).message}`);
  }
  return parsePolicy(raw, path);
}
