export * from './redis-connections';
export * from './dispatch-queues';
export * from './outbox-relay';
export * from './reconciler';
