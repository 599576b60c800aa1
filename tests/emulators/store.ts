// Certificates uploaded to an emulator, per account, in upload order: what the list calls
// answer and what tests read back.

import type { ParsedCertificate } from './certificate';

export interface StoredCertificate {
  /** The cloud's id for it (Tencent CertificateId, Alibaba CertId, Huawei id, Volcengine ChainID). */
  readonly id: string;
  /** The access key id (or token account) that uploaded it. */
  readonly account: string;
  readonly name: string | null;
  readonly certificatePem: string;
  readonly privateKeyPem: string | null;
  readonly certificate: ParsedCertificate;
  /** Every request parameter as received (PEMs included), for tests that check what was sent. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Bumped each time the entry is replaced (Volcengine CreateCert with a ChainID). */
  readonly revision: number;
}

export type NewCertificate = Omit<StoredCertificate, 'createdAt' | 'updatedAt' | 'revision'>;

export class CertificateStore {
  private readonly entries: StoredCertificate[] = [];

  add(entry: NewCertificate, now: Date): StoredCertificate {
    const stored: StoredCertificate = { ...entry, createdAt: now, updatedAt: now, revision: 1 };
    this.entries.push(stored);
    return stored;
  }

  /** Replaces the certificate of an existing entry; null when the account holds no such id. */
  replace(account: string, id: string, update: Omit<NewCertificate, 'id' | 'account'>, now: Date): StoredCertificate | null {
    const index = this.entries.findIndex((entry) => entry.account === account && entry.id === id);
    if (index < 0) return null;
    const previous = this.entries[index]!;
    const replaced: StoredCertificate = {
      ...previous,
      ...update,
      id,
      account,
      updatedAt: now,
      revision: previous.revision + 1,
    };
    this.entries[index] = replaced;
    return replaced;
  }

  /** Deletes an entry; false when the account holds no such id. */
  remove(account: string, id: string): boolean {
    const index = this.entries.findIndex((entry) => entry.account === account && entry.id === id);
    if (index < 0) return false;
    this.entries.splice(index, 1);
    return true;
  }

  /** One account's certificates, oldest first; all accounts' when `account` is omitted. */
  list(account?: string): StoredCertificate[] {
    return this.entries.filter((entry) => account === undefined || entry.account === account);
  }

  find(account: string, predicate: (entry: StoredCertificate) => boolean): StoredCertificate | undefined {
    return this.entries.find((entry) => entry.account === account && predicate(entry));
  }

  get size(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
