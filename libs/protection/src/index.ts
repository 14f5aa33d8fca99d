import type { CaseDefinition } from '#shouhu/engine';
import { assessmentDefinition } from './machines/assessment.machine';
import { emergencyDefinition } from './machines/emergency.machine';
import { guardianshipDefinition } from './machines/guardianship.machine';
import { censusVerificationDefinition } from './machines/census-verification.machine';
import { dropoutReturnDefinition } from './machines/dropout-return.machine';
import { keyChildVisitsDefinition } from './machines/key-child-visits.machine';
import { quarterlyReturnDefinition } from './machines/quarterly-return.machine';
import { yearlySummaryDefinition } from './machines/yearly-summary.machine';
import { mandatoryReportDefinition } from './machines/mandatory-report.machine';
import { schoolAbsenceDefinition } from './machines/school-absence.machine';
import type { ProtectionPolicy } from './policy/policy.types';

export * from './policy';
export * from './machines/machine-kit';
export * from './machines/calendar-kit';
export { assessmentDefinition, dropoutReturnDefinition, emergencyDefinition, guardianshipDefinition, mandatoryReportDefinition, schoolAbsenceDefinition };

/** Roles that may read who filed a mandatory report (2020 opinion: reporters' identities are kept confidential). */
export const REPORTER_VISIBLE_TO = ['police', 'psb', 'civil_affairs', 'civil_affairs_supervisor'] as const;

/**
 * The four protection mechanisms under one county policy. A mandatory report may be filed about a
 * child anywhere in the county, and the reporter's identity is visible only to police and civil affairs.
 */
export function protectionDefinitionsFor(policy: ProtectionPolicy): CaseDefinition[] {
  return [
    {
      ...mandatoryReportDefinition(policy),
      openScope: 'county',
      confidential: { fields: ['reporter'], visibleTo: REPORTER_VISIBLE_TO },
    },
    emergencyDefinition(policy),
    assessmentDefinition(policy),
    guardianshipDefinition(policy),
    // A school's cases lie where the child lives; the child's school and village committee both work on them.
    { ...schoolAbsenceDefinition(policy), openScope: 'county', participants: ['school', 'village'] },
    { ...dropoutReturnDefinition(policy), participants: ['school', 'village'] },
    // The registry's rhythm (长政办发〔2016〕39号 四(一), 四(二)2, 五(三)).
    { ...censusVerificationDefinition(policy), participants: ['village'] },
    quarterlyReturnDefinition(policy),
    yearlySummaryDefinition(policy),
    { ...keyChildVisitsDefinition(policy), participants: ['village'] },
  ];
}
export * from './diagram';
