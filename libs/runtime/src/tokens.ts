/** Injection tokens for things that are interfaces, not classes. */
export const CLOCK = Symbol('CLOCK');
export { APP_CONFIG } from '#shouhu/config';
