import type { CaseDefinition } from '#shouhu/engine';

/**
 * The protection mechanisms (mandatory report, emergency handling, assessment and assistance,
 * guardianship intervention, school absence and dropout return) are built on the kernel in their own
 * issues; each adds its definition here.
 */
export const protectionDefinitions: readonly CaseDefinition[] = [];
