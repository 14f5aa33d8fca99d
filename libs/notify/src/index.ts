export * from './inbox.service';
export * from './notify.handler';
export * from './delivery.service';
export * from './delivery.queue';
export * from './delivery.senders';
export * from './webhook-signature';
