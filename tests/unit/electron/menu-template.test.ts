import { describe, expect, it } from 'vitest';
import { applicationMenuTemplate } from '../../../main/electron/menu-template';

type MenuItemConstructorOptions = ReturnType<typeof applicationMenuTemplate>[number];

function roles(template: MenuItemConstructorOptions[]): string[] {
  return template.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);
}

function labels(template: MenuItemConstructorOptions[]): string[] {
  return template.flatMap((item) => [
    ...(item.label ? [item.label] : []),
    ...(Array.isArray(item.submenu) ? labels(item.submenu) : []),
  ]);
}

describe('applicationMenuTemplate', () => {
  it('has the standard Edit, View and Window roles', () => {
    const all = roles(applicationMenuTemplate('en', 'linux', false));
    for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen', 'minimize', 'quit']) {
      expect(all).toContain(role);
    }
  });

  it('offers reload and devtools only in development', () => {
    expect(roles(applicationMenuTemplate('en', 'linux', false))).not.toContain('toggleDevTools');
    expect(roles(applicationMenuTemplate('en', 'linux', false))).not.toContain('reload');
    expect(roles(applicationMenuTemplate('en', 'linux', true))).toContain('toggleDevTools');
  });

  it('speaks the chosen language', () => {
    expect(applicationMenuTemplate('en', 'linux', false).map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Window']);
    expect(applicationMenuTemplate('zh-CN', 'linux', false).map((m) => m.label)).toEqual(['文件', '编辑', '视图', '窗口']);
    expect(labels(applicationMenuTemplate('zh-CN', 'linux', false))).toContain('复制');
  });

  it('adds the application menu on macOS', () => {
    const mac = applicationMenuTemplate('en', 'darwin', false);
    expect(mac[0]?.label).toBe('Cert Vault');
    expect(roles(mac)).toEqual(expect.arrayContaining(['about', 'hide', 'front']));
  });
});
