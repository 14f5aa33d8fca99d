export * from './directory.service';
export * from './responsible-unit.resolver';
export * from './demo-seed';
