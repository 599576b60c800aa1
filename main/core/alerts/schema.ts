// The alerts tables (main/core/alerts), one numbered migration of the vault database.

export const alertsSql = `
-- What was already notified: one row per certificate, per expiry date (a copy replaced under the
-- same remote id with a new certificate starts over) and per threshold it crossed, so a
-- notification is sent once per crossing and never again on the next start.
CREATE TABLE alert_notifications (
  subject     TEXT NOT NULL,             -- 'library:<entry id>' or 'remote:<account id>:<remote id>'
  not_after   TEXT NOT NULL,
  threshold   TEXT NOT NULL,             -- 'expired' or a number of days
  notified_at TEXT NOT NULL,
  PRIMARY KEY (subject, not_after, threshold)
) STRICT, WITHOUT ROWID;
`;
