import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHANGBAI_POLICY, type DeadlineRule, type ProtectionPolicy } from '#shouhu/protection';

/**
 * The county policy with some deadlines shrunk to seconds, written as a policy file: end-to-end
 * tests let long legal deadlines come due within the test, through the same data path a county uses.
 */
export function writeFastPolicy(dir: string, overrides: Partial<Record<keyof ProtectionPolicy['deadlines'], string>>): string {
  const policy: ProtectionPolicy = structuredClone(CHANGBAI_POLICY);
  policy.version = `${CHANGBAI_POLICY.version}-e2e`;
  for (const [key, duration] of Object.entries(overrides)) {
    const rule = policy.deadlines[key as keyof ProtectionPolicy['deadlines']] as DeadlineRule;
    rule.duration = duration!;
    rule.calendar = 'natural';
  }
  const path = join(dir, 'policy.json');
  writeFileSync(path, JSON.stringify(policy, null, 2));
  return path;
}
