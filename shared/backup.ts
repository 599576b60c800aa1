// Vault backups (main/core/backup), what both sides need and nothing that pulls zod into the renderer.

/** A backup passphrase is at least this long: checked in main, shown by Settings. */
export const MIN_BACKUP_PASSPHRASE_LENGTH = 10;
