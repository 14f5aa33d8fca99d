export * from './runtime.module';
export * from './tokens';
export * from './case-transitioned.event';
export * from './embedded-redis';
export * from './definitions.loader';
export * from './shutdown';
export * from './startup-error';
