import type { MenuItemConstructorOptions } from 'electron';
import { translate, type Locale, type MessageKey } from '../../shared/i18n';

// The application menu: Electron's standard roles (so shortcuts and OS behaviour are native) with
// labels from our catalogs, so the menu speaks the same language as the window.

export function applicationMenuTemplate(locale: Locale, platform: NodeJS.Platform, dev: boolean): MenuItemConstructorOptions[] {
  const t = (key: MessageKey) => translate(locale, key);
  const mac = platform === 'darwin';
  const separator: MenuItemConstructorOptions = { type: 'separator' };

  const appMenu: MenuItemConstructorOptions = {
    label: 'Cert Vault',
    submenu: [
      { role: 'about', label: t('menu.about') },
      separator,
      { role: 'services', label: t('menu.services') },
      separator,
      { role: 'hide', label: t('menu.hide') },
      { role: 'hideOthers', label: t('menu.hideOthers') },
      { role: 'unhide', label: t('menu.showAll') },
      separator,
      { role: 'quit', label: t('menu.quit') },
    ],
  };
  const fileMenu: MenuItemConstructorOptions = {
    label: t('menu.file'),
    submenu: mac ? [{ role: 'close', label: t('menu.close') }] : [{ role: 'quit', label: t('menu.quit') }],
  };
  const editMenu: MenuItemConstructorOptions = {
    label: t('menu.edit'),
    submenu: [
      { role: 'undo', label: t('menu.undo') },
      { role: 'redo', label: t('menu.redo') },
      separator,
      { role: 'cut', label: t('menu.cut') },
      { role: 'copy', label: t('menu.copy') },
      { role: 'paste', label: t('menu.paste') },
      { role: 'delete', label: t('menu.delete') },
      separator,
      { role: 'selectAll', label: t('menu.selectAll') },
    ],
  };
  const devItems: MenuItemConstructorOptions[] = [
    { role: 'reload', label: t('menu.reload') },
    { role: 'toggleDevTools', label: t('menu.toggleDevTools') },
    separator,
  ];
  const viewMenu: MenuItemConstructorOptions = {
    label: t('menu.view'),
    submenu: [
      ...(dev ? devItems : []),
      { role: 'resetZoom', label: t('menu.resetZoom') },
      { role: 'zoomIn', label: t('menu.zoomIn') },
      { role: 'zoomOut', label: t('menu.zoomOut') },
      separator,
      { role: 'togglefullscreen', label: t('menu.toggleFullScreen') },
    ],
  };
  const windowMenu: MenuItemConstructorOptions = {
    label: t('menu.window'),
    role: 'windowMenu',
    submenu: mac
      ? [
          { role: 'minimize', label: t('menu.minimize') },
          { role: 'zoom', label: t('menu.zoom') },
          separator,
          { role: 'front', label: t('menu.front') },
        ]
      : [
          { role: 'minimize', label: t('menu.minimize') },
          { role: 'close', label: t('menu.close') },
        ],
  };
  return [...(mac ? [appMenu] : []), fileMenu, editMenu, viewMenu, windowMenu];
}
