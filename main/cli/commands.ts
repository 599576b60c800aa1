import type { Command } from './command';
import { inspectCommand } from './inspect';
import { checkServedCommand } from './check-served';
import { importCommand } from './import';
import { listCommand } from './list';
import { showCommand } from './show';
import { exportCommand } from './export';
import { editCommand } from './edit';
import { removeCommand } from './remove';
import { accountCommand } from './account';
import { uploadCommand } from './upload';
import { historyCommand } from './history';
import { keychainCommand } from './keychain';
import { backupCommand, restoreCommand } from './backup';
import { syncCommand } from './sync';
import { deployCommand, rollbackCommand } from './deploy';
import { remoteCommand } from './remote';
import { expiringCommand } from './expiring';
import { alertCommand } from './alert';
import { notifyCommand } from './notify';
import { teamCommand } from './team';

// Every `certvault` subcommand, in the order `certvault --help` lists them. A new command is one
// file beside this one and one line here.
export const commands: readonly Command[] = [
  inspectCommand,
  checkServedCommand,
  importCommand,
  listCommand,
  showCommand,
  exportCommand,
  editCommand,
  removeCommand,
  accountCommand,
  uploadCommand,
  deployCommand,
  rollbackCommand,
  historyCommand,
  syncCommand,
  remoteCommand,
  expiringCommand,
  notifyCommand,
  alertCommand,
  keychainCommand,
  backupCommand,
  restoreCommand,
  teamCommand,
];
