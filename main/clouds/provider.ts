import type { z } from 'zod';
import type { CertificateInfo, CloudId } from '../../shared/model';
import type { Locale } from '../../shared/i18n';
import type { RemoteBindingView, RemoteCertificateFacts } from '../../shared/inventory';
import type { HttpClient } from './http';
import type { CloudDeployer } from './deploy';

// What a cloud is. Every folder under main/clouds/ exports one `CloudProvider` from its index.ts;
// registry.ts lists them. Adding a cloud = a new folder + one registry line + one emulator.

/** A secret pair as stored in the keychain, whatever the cloud calls its halves. */
export interface CloudCredentials {
  /** SecretId / AccessKeyId / AK. */
  readonly accessKeyId: string;
  /** SecretKey / AccessKeySecret / SK. Never logged, never in an error. */
  readonly accessKeySecret: string;
  /** Optional STS / temporary security token. */
  readonly securityToken?: string;
}

/** The non-secret part of an account (SQLite). */
export interface AccountConfig {
  readonly cloud: CloudId;
  readonly region: string | null;
  /** Any http(s) URL replacing the public endpoint (private endpoints, emulators). */
  readonly endpoint: string | null;
  /** Cloud-specific fields: projectId, instanceId, projectName, resourceGroupId, ... */
  readonly fields: Readonly<Record<string, string>>;
}

/** PEM material for one upload. Lives only in the main process. */
export interface UploadMaterial {
  readonly leaf: CertificateInfo;
  /** Leaf PEM. */
  readonly certificatePem: string;
  /** Intermediates (no root), leaf-to-root order, PEM concatenated; '' when none. */
  readonly chainPem: string;
  /** PKCS#8 or traditional PEM private key, unencrypted; null when the entry has no key. */
  readonly privateKeyPem: string | null;
  /** SM2 dual certificate: the signing pair beside the encryption pair in certificatePem/privateKeyPem. */
  readonly sm2Sign: { readonly certificatePem: string; readonly privateKeyPem: string | null } | null;
}

export type CloudErrorKind = 'auth' | 'throttled' | 'invalid' | 'conflict' | 'server' | 'network';

/** A cloud's answer that is not success, kept verbatim (code, message, request id) beside our classification. */
export interface CloudErrorInfo {
  readonly cloud: CloudId;
  /** The cloud's own code ('AuthFailure.SignatureFailure', 'Throttling.User', 'APIG.0301'), or ours for transport failures. */
  readonly code: string;
  /** The cloud's own message, scrubbed of anything that looks like a secret or a PEM. */
  readonly message: string;
  readonly kind: CloudErrorKind;
  readonly retryable: boolean;
  readonly requestId: string | null;
  readonly httpStatus: number | null;
  /**
   * False only when the request certainly never reached the server (DNS, refused connection):
   * a request that may have been received must not be blindly repeated.
   */
  readonly mayHaveReachedServer: boolean;
  /** What to do about it, in every UI language. */
  readonly hint: Readonly<Record<Locale, string>>;
  /** How long the cloud asked us to wait before trying again (Retry-After, x-acs-retry-after), if it said. */
  readonly retryAfterMs?: number | null;
}

export class CloudError extends Error {
  readonly info: CloudErrorInfo;
  constructor(info: CloudErrorInfo) {
    super(`${info.cloud}: ${info.code}: ${info.message}`);
    this.name = 'CloudError';
    this.info = info;
  }
}

export interface UploadResult {
  /** CertificateId / CertId / id / ChainID. */
  readonly remoteId: string;
  readonly requestId: string | null;
  /** Set when the cloud answered that it already holds this certificate (e.g. Tencent RepeatCertId). */
  readonly duplicateOf: string | null;
}

export interface RemoteCertificate {
  readonly remoteId: string;
  readonly name: string | null;
  readonly commonName: string | null;
  readonly domains: readonly string[];
  readonly notAfter: string | null;
  readonly fingerprintSha1: string | null;
  readonly fingerprintSha256: string | null;
}

export interface ListQuery {
  /** Narrow the listing when the cloud supports it (domain, keyword). */
  readonly search?: string;
}

/** What a remote certificate serves, as the cloud names it: a CDN domain, a CLB listener, an APIG domain. */
/** A resource a certificate is bound to: the same shape on both sides of IPC. */
export type RemoteBinding = RemoteBindingView;

/**
 * A certificate held by a cloud account, as `listRemote` and `remoteDetail` return it: the facts
 * every view shows, plus the certificate itself where the cloud returns it (kept in the db, never
 * sent over IPC). Never carries a private key, even where the cloud's detail call returns one.
 */
export interface RemoteCopy extends RemoteCertificateFacts {
  /** The certificate (leaf first, then any chain) as PEM when the cloud returns it; never a key. */
  readonly certificatePem: string | null;
}

/** Knobs of the inventory calls; the defaults are each cloud's documented maxima and pacing. */
export interface InventoryOptions {
  /** Items per list page; default: the largest page the cloud documents. */
  readonly pageSize?: number;
  /** Wait between polls of an asynchronous discovery task (Tencent); default 2 s. */
  readonly pollIntervalMs?: number;
}

export interface ValidationIssue {
  /** Which option or part of the input is wrong ('name', 'privateKey', 'algorithm'). */
  readonly field: string;
  readonly message: Readonly<Record<Locale, string>>;
}

/** Everything a request needs besides its parameters. */
export interface CallContext {
  readonly account: AccountConfig;
  readonly credentials: CloudCredentials;
  readonly http: HttpClient;
  /** Injected for deterministic signatures in tests. */
  readonly now: () => Date;
  /** Alibaba's signature nonce; injected for tests. */
  readonly nonce: () => string;
  readonly signal?: AbortSignal;
}

/**
 * One documented upload parameter, for the upload form. `multiline` is text whose line breaks
 * matter (a PEM): a single-line input would drop them when it is pasted.
 */
export interface OptionField {
  readonly key: string;
  readonly kind: 'text' | 'multiline' | 'choice' | 'boolean' | 'tags' | 'number';
  readonly choices?: readonly string[];
  readonly label: Readonly<Record<Locale, string>>;
  readonly help?: Readonly<Record<Locale, string>>;
}

export interface CloudProvider<Options extends Record<string, unknown> = Record<string, unknown>> {
  readonly id: CloudId;
  readonly displayName: Readonly<Record<Locale, string>>;
  /** The documented per-account request rate of the upload API. */
  readonly requestsPerSecond: number;
  /** Every documented upload parameter, validated. */
  readonly optionsSchema: z.ZodType<Options>;
  readonly optionFields: readonly OptionField[];
  /** Which account fields this cloud uses (projectId, instanceId, ...), for the accounts form. */
  readonly accountFields: readonly OptionField[];
  /** Sensible defaults for a certificate and account (e.g. a unique name from CN + expiry). */
  defaultOptions(material: UploadMaterial, account: AccountConfig): Options;
  /** Pre-flight, no network: the cloud's constraints on name, key, algorithm. */
  validate(material: UploadMaterial, options: Options, account: AccountConfig): readonly ValidationIssue[];
  upload(ctx: CallContext, material: UploadMaterial, options: Options): Promise<UploadResult>;
  /** Read-only listing: test connection, find an existing copy. */
  list(ctx: CallContext, query?: ListQuery): Promise<readonly RemoteCertificate[]>;
  /** Every certificate on the account, all pages, as the list call describes it (bindings empty). */
  listRemote?(ctx: CallContext, options?: InventoryOptions): Promise<readonly RemoteCopy[]>;
  /** The same copy completed by the cloud's detail call (fingerprint, serial, issuer, exact dates). */
  remoteDetail?(ctx: CallContext, copy: RemoteCopy): Promise<RemoteCopy>;
  /** What each of `copies` is bound to, by remote id (absent: nothing bound or the cloud cannot tell). */
  bindings?(ctx: CallContext, copies: readonly RemoteCopy[], options?: InventoryOptions): Promise<ReadonlyMap<string, readonly RemoteBinding[]>>;
  /** Replace, watch, roll back and retire on the resources a certificate serves (deploy.ts). */
  readonly deployer?: CloudDeployer;
}
