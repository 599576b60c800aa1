import { printable } from '../../../../shared/printable';
import type { LibraryEntry } from '../../../../shared/library';
import type { Deployment } from '../../../../shared/uploads';
import { dnForDisplay } from '../../lib/dn';

// Short texts for a library row, in the words sysadmins use ("EC P-256", "RSA 2048").

export function keyLabel(entry: Pick<LibraryEntry, 'keyAlgorithm' | 'keySize' | 'curve'>): string {
  switch (entry.keyAlgorithm) {
    case 'EC':
      return entry.curve ? `EC ${entry.curve}` : 'EC';
    case 'RSA':
    case 'DSA':
      return entry.keySize ? `${entry.keyAlgorithm} ${entry.keySize}` : entry.keyAlgorithm;
    case 'unknown':
      return '?';
    default:
      return entry.keyAlgorithm;
  }
}

/**
 * The name to show: an entry without a CN is named after its subject DN, which main writes with
 * RFC 4514 escapes; hidden characters are shown so a spoofed name cannot hide (issue 8 §2).
 */
export function displayName(entry: Pick<LibraryEntry, 'name' | 'subject'>): string {
  return printable(entry.name === entry.subject ? dnForDisplay(entry.name) : entry.name);
}

/** The accounts an entry is deployed to, each once, in the order they were first uploaded to. */
export function deploymentTargets(deployments: readonly Deployment[]): string[] {
  return [...new Set([...deployments].sort((a, b) => a.uploadedAt.localeCompare(b.uploadedAt)).map((d) => d.accountName))];
}

/** A file name from an entry name: no path separators or characters Windows refuses. */
export function fileBaseName(name: string): string {
  const cleaned = name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').replace(/^\.+/, '').trim();
  return cleaned.slice(0, 120) || 'certificate';
}
