import type { CloudAccount } from '../../shared/uploads';
import type { OptionField } from '../clouds/provider';
import { UsageError } from './command';

// `--set KEY=VALUE` (every target whose cloud has that option) and `--set ACCOUNT:KEY=VALUE` (one
// target), typed by the cloud's option fields: booleans as true/false, numbers as digits, tags as
// `k=v,k2=v2`. A key no chosen cloud knows is a usage error, not a silently ignored option.

/** A whole number of days for `flag` (--days, --expiring-within), as Settings bounds it. */
export function parseDays(text: string, flag: string): number {
  const days = Number(text);
  if (!/^\d+$/.test(text) || days > 36_500) throw new UsageError(`${flag} needs a whole number of days (0-36500)`);
  return days;
}

export interface OptionSetting {
  readonly account: string | null;
  readonly key: string;
  readonly value: string;
}

export function parseSetting(text: string): OptionSetting {
  const match = /^(?:([^:=]+):)?([A-Za-z][A-Za-z0-9_.]*)=(.*)$/s.exec(text);
  if (!match) throw new UsageError(`--set needs KEY=VALUE or ACCOUNT:KEY=VALUE, got "${text.slice(0, 80)}"`);
  return { account: match[1]?.trim() ?? null, key: match[2]!, value: match[3]! };
}

function typedValue(field: OptionField, value: string): unknown {
  switch (field.kind) {
    case 'boolean':
      if (value !== 'true' && value !== 'false') throw new UsageError(`--set ${field.key}= takes true or false`);
      return value === 'true';
    case 'number':
      if (!/^-?\d+$/.test(value)) throw new UsageError(`--set ${field.key}= takes a whole number`);
      return Number(value);
    case 'tags':
      return value
        .split(',')
        .filter((pair) => pair.trim() !== '')
        .map((pair) => {
          const at = pair.indexOf('=');
          if (at <= 0) throw new UsageError(`--set ${field.key}= takes KEY=VALUE pairs separated by commas`);
          return { key: pair.slice(0, at).trim(), value: pair.slice(at + 1) };
        });
    case 'choice':
    case 'text':
    case 'multiline':
      return value;
  }
}

/** The option overrides of each account (by account id). */
export function optionsPerAccount(
  settings: readonly OptionSetting[],
  accounts: readonly CloudAccount[],
  fieldsOf: (account: CloudAccount) => readonly OptionField[],
): Map<string, Record<string, unknown>> {
  const result = new Map(accounts.map((account) => [account.id, {} as Record<string, unknown>]));
  for (const setting of settings) {
    const targets = setting.account === null ? accounts : accounts.filter((a) => a.name.toLowerCase() === setting.account!.toLowerCase());
    if (setting.account !== null && targets.length === 0) throw new UsageError(`--set ${setting.account}:${setting.key}: "${setting.account}" is not one of the --to accounts`);
    let applied = 0;
    for (const account of targets) {
      const field = fieldsOf(account).find((candidate) => candidate.key === setting.key);
      if (!field) continue;
      result.get(account.id)![setting.key] = typedValue(field, setting.value);
      applied += 1;
    }
    if (applied === 0) throw new UsageError(`--set ${setting.key}: no chosen account's cloud has an option "${setting.key}"`);
  }
  return result;
}
