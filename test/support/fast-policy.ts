import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHANGBAI_POLICY, type DeadlineRule, type ProtectionPolicy } from '#shouhu/protection';

/**
 * The county policy with some deadlines shrunk to seconds, written as a policy file: end-to-end
 * tests let long legal deadlines come due within the test, through the same data path a county uses.
 */
type SchoolDeadline = { [K in keyof ProtectionPolicy['school']]: ProtectionPolicy['school'][K] extends DeadlineRule ? K : never }[keyof ProtectionPolicy['school']];

export function writeFastPolicy(
  dir: string,
  overrides: Partial<Record<keyof ProtectionPolicy['deadlines'], string>>,
  school: Partial<Record<SchoolDeadline, string>> & { dropoutAfterSchoolDays?: number } = {},
): string {
  const policy: ProtectionPolicy = structuredClone(CHANGBAI_POLICY);
  policy.version = `${CHANGBAI_POLICY.version}-e2e`;
  const shrink = (rule: DeadlineRule, duration: string) => Object.assign(rule, { duration, calendar: 'natural' });
  for (const [key, duration] of Object.entries(overrides)) shrink(policy.deadlines[key as keyof ProtectionPolicy['deadlines']], duration!);
  const { dropoutAfterSchoolDays, ...schoolDeadlines } = school;
  for (const [key, duration] of Object.entries(schoolDeadlines)) shrink(policy.school[key as SchoolDeadline], duration!);
  if (dropoutAfterSchoolDays !== undefined) policy.school.dropoutAfterSchoolDays = dropoutAfterSchoolDays;
  const path = join(dir, 'policy.json');
  writeFileSync(path, JSON.stringify(policy, null, 2));
  return path;
}
