/** Injection tokens for things that are interfaces, not classes. */
export const CLOCK = Symbol('CLOCK');
/** The county's ProtectionPolicy in force for new cases. */
export const PROTECTION_POLICY = Symbol('PROTECTION_POLICY');
export { APP_CONFIG } from '#shouhu/config';
