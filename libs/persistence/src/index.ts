export * from './database';
export * from './sql-case-store';
export * from './sql-dispatch-store';
export * from './entities/case.entities';
export * from './entities/directory.entities';
export * from './entities/delivery.entities';
export * from './entities/attendance.entities';
export * from './entities/registry.entities';
