import type { ExpiringCertificate } from './expiring';

// The node_exporter textfile collector format (Prometheus text exposition format 0.0.4,
// https://prometheus.io/docs/instrumenting/exposition_formats/): label values escape backslash,
// double quote and line feed; HELP text escapes backslash and line feed.

const METRIC = 'certvault_certificate_not_after_seconds';

function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** One gauge per certificate: its notAfter as Unix seconds, labelled by where it lives. */
export function prometheusText(certificates: readonly ExpiringCertificate[]): string {
  const lines = [
    `# HELP ${METRIC} Expiry (notAfter) of each certificate in the Cert Vault library and on the synced cloud accounts, as Unix time.`,
    `# TYPE ${METRIC} gauge`,
  ];
  for (const certificate of certificates) {
    const labels = {
      source: certificate.source,
      cloud: certificate.cloud ?? '',
      account: certificate.account ?? '',
      name: certificate.name,
      // A remote copy is named by its id on the cloud (unique per account); a library entry by its entry id.
      id: (certificate.source === 'remote' ? certificate.remoteId : certificate.id) ?? '',
    };
    const text = Object.entries(labels).map(([key, value]) => `${key}="${labelValue(value)}"`).join(',');
    lines.push(`${METRIC}{${text}} ${Math.floor(Date.parse(certificate.notAfter) / 1000)}`);
  }
  return `${lines.join('\n')}\n`;
}
