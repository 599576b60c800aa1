// The alerts tables (main/core/alerts), one numbered migration of the vault database.

export const alertsSql = `
-- What was already notified: one row per channel ('desktop' notifications, 'webhooks'), per
-- certificate, per expiry date (a copy replaced under the same remote id with a new certificate
-- starts over) and per threshold it crossed, so each channel tells once per crossing and never
-- again on the next start.
CREATE TABLE alert_notifications (
  channel     TEXT NOT NULL,
  subject     TEXT NOT NULL,             -- 'library:<entry id>' or 'remote:<account id>:<remote id>'
  not_after   TEXT NOT NULL,
  threshold   TEXT NOT NULL,             -- 'expired' or a number of days
  notified_at TEXT NOT NULL,
  PRIMARY KEY (channel, subject, not_after, threshold)
) STRICT, WITHOUT ROWID;

-- Webhooks to send alerts to. The URL (which holds the bot's token) and the signing secret are in
-- the OS keychain, one entry per webhook named by its id; never here.
CREATE TABLE alert_webhooks (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL COLLATE NOCASE UNIQUE,
  kind       TEXT NOT NULL CHECK (kind IN ('wecom', 'dingtalk', 'feishu', 'slack', 'json')),
  created_at TEXT NOT NULL
) STRICT;
`;
