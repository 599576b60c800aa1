// Menu and MenuItem (docs/api/menu.md, docs/api/menu-item.md): templates become items, roles and
// types must be ones Electron documents, submenus given as templates are built the same way.

const roles = new Set([
  'undo', 'redo', 'cut', 'copy', 'paste', 'pasteAndMatchStyle', 'delete', 'selectAll', 'reload', 'forceReload',
  'toggleDevTools', 'resetZoom', 'zoomIn', 'zoomOut', 'toggleSpellChecker', 'togglefullscreen', 'window', 'minimize',
  'close', 'help', 'about', 'services', 'hide', 'hideOthers', 'unhide', 'quit', 'showSubstitutions',
  'toggleSmartQuotes', 'toggleSmartDashes', 'toggleTextReplacement', 'startSpeaking', 'stopSpeaking', 'zoom', 'front',
  'appMenu', 'fileMenu', 'editMenu', 'viewMenu', 'shareMenu', 'recentDocuments', 'toggleTabBar', 'selectNextTab',
  'selectPreviousTab', 'showAllTabs', 'mergeAllWindows', 'clearRecentDocuments', 'moveTabToNewWindow', 'windowMenu',
]);
const types = new Set(['normal', 'separator', 'submenu', 'checkbox', 'radio', 'header', 'palette']);

export interface MenuItemOptions {
  readonly label?: string;
  readonly role?: string;
  readonly type?: string;
  readonly submenu?: readonly (MenuItemOptions | MenuItemDouble)[] | MenuDouble;
  readonly enabled?: boolean;
  readonly visible?: boolean;
  readonly accelerator?: string;
  readonly id?: string;
  readonly click?: (...args: unknown[]) => void;
}

export class MenuItemDouble {
  readonly label: string;
  readonly role: string | undefined;
  readonly type: string;
  readonly submenu: MenuDouble | undefined;
  readonly enabled: boolean;
  readonly visible: boolean;
  readonly accelerator: string | null;
  readonly id: string | undefined;

  constructor(options: MenuItemOptions) {
    if (options.role !== undefined && !roles.has(options.role)) throw new TypeError(`Invalid role: ${options.role}`);
    if (options.type !== undefined && !types.has(options.type)) throw new TypeError(`Invalid menu item type: ${options.type}`);
    this.role = options.role;
    this.label = options.label ?? '';
    this.submenu = options.submenu === undefined ? undefined : options.submenu instanceof MenuDouble ? options.submenu : MenuDouble.buildFromTemplate(options.submenu);
    this.type = options.type ?? (this.submenu ? 'submenu' : 'normal');
    if (this.type === 'submenu' && !this.submenu) throw new TypeError('Invalid submenu');
    this.enabled = options.enabled ?? true;
    this.visible = options.visible ?? true;
    this.accelerator = options.accelerator ?? null;
    this.id = options.id;
  }
}

export class MenuDouble {
  readonly items: MenuItemDouble[] = [];

  append(item: MenuItemDouble): void {
    this.items.push(item);
  }

  static buildFromTemplate(template: readonly (MenuItemOptions | MenuItemDouble)[]): MenuDouble {
    if (!Array.isArray(template)) throw new TypeError('Invalid template for Menu: Menu template must be an array');
    const menu = new MenuDouble();
    for (const entry of template) menu.append(entry instanceof MenuItemDouble ? entry : new MenuItemDouble(entry as MenuItemOptions));
    return menu;
  }
}
