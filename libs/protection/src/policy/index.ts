export * from './policy.types';
export * from './deadline';
export * from './changbai.policy';
export * from './policy.schema';
