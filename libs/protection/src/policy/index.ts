export * from './policy.types';
export * from './deadline';
export * from './changbai.policy';
