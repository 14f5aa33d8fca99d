export * from './inbox.service';
export * from './notify.handler';
