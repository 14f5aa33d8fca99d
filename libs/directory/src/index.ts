export * from './directory.service';
export * from './responsible-unit.resolver';
export * from './county-seed';
export * from './demo-seed';
export * from './token-cache';
