import { beforeEach, describe, expect, it, vi } from 'vitest';

// electronDialogs against a stand-in dialog module (the electron module itself is never loaded).

const showSaveDialog = vi.fn(async (_options: { defaultPath?: string }) => ({ canceled: false, filePath: '/home/alice/site.pem' }));
const showMessageBox = vi.fn(async (_options: { title?: string }) => ({ response: 0, checkboxChecked: false }));
vi.mock('electron', () => ({ dialog: { showSaveDialog, showMessageBox } }));

const { accountConfirmation, dataKeyResetConfirmation, electronDialogs, endpointConfirmation, fileNameOnly } = await import('../../../main/electron/dialogs');

beforeEach(() => {
  showSaveDialog.mockClear();
  showMessageBox.mockClear();
});

describe('the save dialog', () => {
  it.each([
    ['site.fullchain.pem', 'site.fullchain.pem'],
    ['../../.bashrc', '.bashrc'],
    ['/etc/cron.d/job', 'job'],
    ['C:\\Users\\alice\\Startup\\run.cmd', 'run.cmd'],
    ['..', 'export'],
    ['dir/', 'export'],
  ])('suggests only the file name of %j', (suggested, shown) => {
    expect(fileNameOnly(suggested)).toBe(shown);
  });

  it('opens on the file name the page suggested, in no particular folder, and returns the choice', async () => {
    const chosen = await electronDialogs(() => null, () => 'en').chooseSave('export', '../../.ssh/authorized_keys');
    expect(showSaveDialog.mock.calls[0]?.[0]).toMatchObject({ defaultPath: 'authorized_keys' });
    expect(chosen).toBe('/home/alice/site.pem');
  });
});

describe('the endpoint confirmation', () => {
  const account = { name: 'prod', cloud: 'tencent' as const };

  it('names the account and the host, warns that private keys go there, and defaults to Cancel', () => {
    const en = endpointConfirmation('en', 'prod', 'https://ssl.attacker.example:8443/api');
    expect(en.message).toBe('Send uploads of account "prod" to ssl.attacker.example:8443?');
    expect(en.detail).toContain('https://ssl.attacker.example:8443/api');
    expect(en.detail).toMatch(/PRIVATE KEY/);
    expect(en.buttons).toEqual(['Use this endpoint', 'Cancel']);
    expect(en).toMatchObject({ type: 'warning', defaultId: 1, cancelId: 1 });
    const zh = endpointConfirmation('zh-CN', 'prod', 'https://ssl.attacker.example');
    expect(zh.message).toContain('ssl.attacker.example');
    expect(zh.detail).toContain('私钥');
    expect(zh.buttons).toEqual(['使用此接入点', '取消']);
  });

  it('is true only for the confirm button, in the language of the menus', async () => {
    const dialogs = electronDialogs(() => null, () => 'zh-CN');
    expect(await dialogs.confirmEndpoint(account, 'https://a.example')).toBe(true);
    expect(showMessageBox.mock.calls[0]?.[0]).toMatchObject({ title: '确认自定义接入点' });
    showMessageBox.mockResolvedValueOnce({ response: 1, checkboxChecked: false });
    expect(await dialogs.confirmEndpoint(account, 'https://a.example')).toBe(false);
  });
});

describe('the account confirmation', () => {
  const identity = { cloud: 'aliyun' as const, keyId: 'LTAI-attacker-key', endpoint: null };

  it('shows the cloud, the access key id and the endpoint, and defaults to Cancel', () => {
    const en = accountConfirmation('en', 'prod', identity);
    expect(en.message).toBe('Allow private keys to be uploaded to account "prod"?');
    expect(en.detail).toContain('Cloud: Alibaba Cloud Certificate Management Service');
    expect(en.detail).toContain('Access key ID: LTAI-attacker-key');
    expect(en.detail).toContain("Endpoint: the cloud's public endpoint");
    expect(en.detail).toMatch(/PRIVATE KEY/);
    expect(en).toMatchObject({ type: 'warning', defaultId: 1, cancelId: 1, buttons: ['Allow uploads', 'Cancel'] });
    const zh = accountConfirmation('zh-CN', 'prod', { ...identity, endpoint: 'https://cas.internal.example' });
    expect(zh.detail).toContain('接入点：https://cas.internal.example');
    expect(zh.buttons).toEqual(['允许上传', '取消']);
  });

  it('is true only for the confirm button', async () => {
    const dialogs = electronDialogs(() => null, () => 'en');
    expect(await dialogs.confirmAccount({ name: 'prod' }, identity)).toBe(true);
    showMessageBox.mockResolvedValueOnce({ response: 1, checkboxChecked: false });
    expect(await dialogs.confirmAccount({ name: 'prod' }, identity)).toBe(false);
  });
});

describe('the data key reset confirmation', () => {
  it('says how many keys stay unrecoverable for good, in both languages, and defaults to Cancel', () => {
    const en = dataKeyResetConfirmation('en', 3);
    expect(en.message).toBe('Start a new data key? The private keys sealed with the lost one (3) become unrecoverable for good.');
    expect(en.detail).toContain('The 3 private keys sealed with the lost data key can never be decrypted');
    expect(en).toMatchObject({ type: 'warning', defaultId: 1, cancelId: 1, buttons: ['Start a new data key', 'Cancel'] });
    const zh = dataKeyResetConfirmation('zh-CN', 3);
    expect(zh.message).toBe('要启用新的数据密钥吗？用已丢失的数据密钥加密的 3 个私钥将永久无法恢复。');
    expect(zh.detail).toContain('3 个私钥将永远无法解密');
    expect(zh.buttons).toEqual(['启用新的数据密钥', '取消']);
  });

  it('is true only for the confirm button, in the language of the menus', async () => {
    const dialogs = electronDialogs(() => null, () => 'zh-CN');
    expect(await dialogs.confirmDataKeyReset(2)).toBe(true);
    expect(showMessageBox.mock.calls[0]?.[0]).toMatchObject({ title: '启用新的数据密钥' });
    showMessageBox.mockResolvedValueOnce({ response: 1, checkboxChecked: false });
    expect(await dialogs.confirmDataKeyReset(2)).toBe(false);
  });
});
