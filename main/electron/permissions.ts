import { isTrustedUrl } from './ipc-guard';

// Web permissions (camera, notifications, geolocation, ...) are all refused. The one exception is
// writing text to the clipboard from our own page: the inspector's "copy fingerprint" buttons.

const grantable = new Set(['clipboard-sanitized-write']);

export function isPermissionGranted(permission: string, requestingUrl: string, devServer: URL | null): boolean {
  return grantable.has(permission) && isTrustedUrl(requestingUrl, devServer);
}
