// The names of the IPC channels and push events, without their schemas: the preload checks names
// against these and stays free of zod (shared/ipc.ts proves at compile time that both lists match
// its contract exactly).

export const channelNames = [
  'app.info',
  'settings.get',
  'settings.update',
  'files.choose',
  'files.chooseSave',
  'inspect.paths',
  'inspect.content',
  'library.list',
  'library.get',
  'library.status',
  'library.resetDataKey',
  'library.import',
  'library.importContent',
  'library.update',
  'library.remove',
  'library.export',
  'vault.backup',
  'vault.restore',
  'accounts.list',
  'accounts.save',
  'accounts.remove',
  'accounts.test',
  'accounts.confirm',
  'uploads.plan',
  'uploads.start',
  'uploads.cancel',
  'uploads.retryFailed',
  'uploads.job',
  'history.list',
  'history.check',
  'history.exportCsv',
  'history.deployments',
  'inventory.sync',
  'inventory.cancel',
  'inventory.list',
  'inventory.accounts',
  'inventory.overview',
  'inventory.importRemote',
  'deploy.plan',
  'deploy.run',
  'deploy.cancel',
  'deploy.rollback',
  'deploy.history',
  'deploy.check',
  'tls.served',
  'team.vaults',
  'team.use',
  'team.create',
  'team.join',
  'team.requests',
  'team.approve',
  'team.reject',
  'team.members',
  'team.role',
  'team.remove',
  'team.audit',
  'team.watch',
  'team.status',
] as const;

export type ChannelName = (typeof channelNames)[number];

export const eventNames = ['library.changed', 'import.progress', 'uploads.progress', 'inventory.progress', 'inventory.synced', 'deploy.progress', 'team.changed', 'vault.changed', 'team.status', 'app.navigate'] as const;

export type EventName = (typeof eventNames)[number];

export function isChannel(value: unknown): value is ChannelName {
  return typeof value === 'string' && (channelNames as readonly string[]).includes(value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (eventNames as readonly string[]).includes(value);
}
