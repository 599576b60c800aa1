import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { log } from '../../../main/core/log';
import { defaultSettings, FileSettingsStore, writeJsonAtomic } from '../../../main/core/settings-store';

let dir: string;
let logged: string[];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-settings-'));
  logged = [];
  log.setSink((line) => logged.push(line));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  log.setSink((line) => process.stderr.write(`${line}\n`));
});

const settingsFile = () => path.join(dir, 'settings.json');

describe('FileSettingsStore', () => {
  it('starts from the defaults when there is no file, quietly', () => {
    expect(new FileSettingsStore(dir).get()).toEqual({ language: 'system', theme: 'system', expiringWithinDays: 30, autoSync: 'off', librarySort: { column: 'notAfter', descending: false } });
    expect(logged).toEqual([]);
    expect(fs.existsSync(settingsFile())).toBe(false);
  });

  it('persists updates, merged over what was there', () => {
    const store = new FileSettingsStore(dir);
    store.update({ language: 'zh-CN' });
    expect(store.update({ expiringWithinDays: 14, theme: undefined })).toEqual({ ...defaultSettings, language: 'zh-CN', expiringWithinDays: 14 });
    expect(new FileSettingsStore(dir).get()).toEqual({ ...defaultSettings, language: 'zh-CN', expiringWithinDays: 14 });
    expect(JSON.parse(fs.readFileSync(settingsFile(), 'utf8'))).toEqual({ ...defaultSettings, language: 'zh-CN', expiringWithinDays: 14 });
  });

  it('creates the data folder on first write and leaves no temporary files', () => {
    const nested = path.join(dir, 'a', 'b');
    new FileSettingsStore(nested).update({ theme: 'dark' });
    expect(fs.readdirSync(nested)).toEqual(['settings.json']);
  });

  it.each([
    ['not JSON', '{"language": "en",'],
    ['an unknown language', '{"language": "klingon"}'],
    ['a value out of range', '{"expiringWithinDays": -5}'],
    ['an array', '[1, 2, 3]'],
  ])('falls back to the defaults with a log line when the file holds %s', (_name, content) => {
    fs.writeFileSync(settingsFile(), content);
    expect(new FileSettingsStore(dir).get()).toEqual(defaultSettings);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('settings_invalid');
  });

  it('fills fields missing from an older file with defaults', () => {
    fs.writeFileSync(settingsFile(), '{"theme": "light"}');
    expect(new FileSettingsStore(dir).get()).toEqual({ ...defaultSettings, theme: 'light' });
  });

  it('remembers the library sort the user chose', () => {
    new FileSettingsStore(dir).update({ librarySort: { column: 'issuer', descending: true } });
    expect(new FileSettingsStore(dir).get().librarySort).toEqual({ column: 'issuer', descending: true });
  });
});

describe('writeJsonAtomic', () => {
  it('replaces the file whole and keeps the old one when the write fails', () => {
    const file = settingsFile();
    writeJsonAtomic(file, { version: 1 });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => writeJsonAtomic(file, circular)).toThrow();
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ version: 1 });
    expect(fs.readdirSync(dir)).toEqual(['settings.json']);
  });
});
