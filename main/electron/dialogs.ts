import { dialog, type BrowserWindow, type MessageBoxOptions, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import { translate, type Locale } from '../../shared/i18n';
import type { AccountIdentity } from '../core/accounts/account-confirmation';
import type { Dialogs } from '../core/ipc/context';

// Extensions only filter the dialog's listing; the inspector detects the format from the content.
const BACKUP_EXTENSION = 'cvbackup';
const certificateExtensions = ['pem', 'crt', 'cer', 'cert', 'der', 'key', 'p7b', 'p7c', 'pfx', 'p12', 'csr', 'txt'];

export function electronDialogs(mainWindow: () => BrowserWindow | null, locale: () => Locale): Dialogs {
  return {
    async chooseFiles(purpose, folders) {
      const lang = locale();
      const options: OpenDialogOptions = {
        title: translate(lang, `dialog.title.${purpose}`),
        // One backup is restored at a time; a team vault trusts one CA file.
        properties: [folders ? 'openDirectory' : 'openFile', ...(purpose === 'restore' || purpose === 'teamCa' ? [] : ['multiSelections' as const])],
        filters: purpose === 'restore'
          ? [
              { name: translate(lang, 'dialog.filter.backup'), extensions: [BACKUP_EXTENSION] },
              { name: translate(lang, 'dialog.filter.all'), extensions: ['*'] },
            ]
          : folders
          ? []
          : [
              { name: translate(lang, 'dialog.filter.certificates'), extensions: certificateExtensions },
              { name: translate(lang, 'dialog.filter.all'), extensions: ['*'] },
            ],
      };
      const window = mainWindow();
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? [] : result.filePaths;
    },
    async chooseSave(purpose, defaultName) {
      const options: SaveDialogOptions = {
        title: translate(locale(), `dialog.title.${purpose}`),
        defaultPath: fileNameOnly(defaultName),
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      };
      const window = mainWindow();
      const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    async confirmEndpoint(account, endpoint) {
      return confirmed(mainWindow(), endpointConfirmation(locale(), account.name, endpoint));
    },
    async confirmAccount(account, identity) {
      return confirmed(mainWindow(), accountConfirmation(locale(), account.name, identity));
    },
    async confirmDataKeyReset(sealedKeys) {
      return confirmed(mainWindow(), dataKeyResetConfirmation(locale(), sealedKeys));
    },
  };
}

async function confirmed(window: BrowserWindow | null, options: MessageBoxOptions): Promise<boolean> {
  const result = window ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
  return result.response === CONFIRM_BUTTON;
}

const CONFIRM_BUTTON = 0;
const CANCEL_BUTTON = 1;

/**
 * Drawn by main, not the page: the page asked for this endpoint, so it must not be the one saying
 * it is safe. Cancel is the default, for Enter and for closing the box. `endpoint` is already
 * validated (account-input.ts), so it parses.
 */
export function endpointConfirmation(lang: Locale, name: string, endpoint: string): MessageBoxOptions {
  return {
    type: 'warning',
    title: translate(lang, 'dialog.endpoint.title'),
    message: translate(lang, 'dialog.endpoint.message', { name, host: new URL(endpoint).host }),
    detail: translate(lang, 'dialog.endpoint.detail', { endpoint }),
    buttons: [translate(lang, 'dialog.endpoint.confirm'), translate(lang, 'dialog.endpoint.cancel')],
    defaultId: CANCEL_BUTTON,
    cancelId: CANCEL_BUTTON,
    noLink: true,
  };
}

/**
 * Drawn by main for the same reason: a page that added an account with its own key pair must not
 * be the one vouching for it. It shows what decides where keys land (the cloud, the access key id
 * that signs, the endpoint) so the user can recognise their own account. Cancel is the default.
 */
export function accountConfirmation(lang: Locale, name: string, identity: AccountIdentity): MessageBoxOptions {
  return {
    type: 'warning',
    title: translate(lang, 'dialog.account.title'),
    message: translate(lang, 'dialog.account.message', { name }),
    detail: translate(lang, 'dialog.account.detail', {
      cloud: translate(lang, `ui.cloud.${identity.cloud}`),
      keyId: identity.keyId,
      endpoint: identity.endpoint ?? translate(lang, 'dialog.account.publicEndpoint'),
    }),
    buttons: [translate(lang, 'dialog.account.confirm'), translate(lang, 'dialog.account.cancel')],
    defaultId: CANCEL_BUTTON,
    cancelId: CANCEL_BUTTON,
    noLink: true,
  };
}

/**
 * Drawn by main for the same reason: giving up the keys sealed with a lost data key cannot be
 * undone, so a page's request alone must not do it. It says how many keys are lost for good.
 * Cancel is the default.
 */
export function dataKeyResetConfirmation(lang: Locale, sealedKeys: number): MessageBoxOptions {
  return {
    type: 'warning',
    title: translate(lang, 'dialog.dataKeyReset.title'),
    message: translate(lang, 'dialog.dataKeyReset.message', { count: sealedKeys }),
    detail: translate(lang, 'dialog.dataKeyReset.detail', { count: sealedKeys }),
    buttons: [translate(lang, 'dialog.dataKeyReset.confirm'), translate(lang, 'dialog.dataKeyReset.cancel')],
    defaultId: CANCEL_BUTTON,
    cancelId: CANCEL_BUTTON,
    noLink: true,
  };
}

/**
 * The page suggests a file name, never a place: a suggested `../../.bashrc` or absolute path would
 * open the dialog on a file the user did not mean to replace.
 */
export function fileNameOnly(suggested: string): string {
  const name = suggested.split(/[\\/]/).pop() ?? '';
  return name === '' || name === '.' || name === '..' ? 'export' : name;
}
