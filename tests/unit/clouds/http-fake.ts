import type { CertificateInfo } from '../../../shared/model';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../main/clouds/http';
import type { AccountConfig, CallContext, CloudCredentials, UploadMaterial } from '../../../main/clouds/provider';

// Test doubles for the cloud client tests: an HttpClient that records requests and answers from a
// script, and upload material without real crypto (the clients only move PEM text).

export class ScriptedHttp implements HttpClient {
  readonly requests: HttpRequest[] = [];
  private readonly answers: ((request: HttpRequest) => HttpResponse)[];

  constructor(...answers: ((request: HttpRequest) => HttpResponse)[]) {
    this.answers = answers;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    this.requests.push(request);
    const answer = this.answers.shift();
    if (!answer) throw new Error('no scripted answer left');
    return answer(request);
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): () => HttpResponse {
  return () => ({ status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

export const FIXED_NOW = new Date('2023-11-14T22:13:20Z');

export function context(http: HttpClient, account: Partial<AccountConfig> = {}, credentials: Partial<CloudCredentials> = {}): CallContext {
  let counter = 0;
  return {
    account: { cloud: 'tencent', region: null, endpoint: null, fields: {}, ...account },
    credentials: { accessKeyId: 'AKIDEXAMPLE0000000000000000000000000', accessKeySecret: 'SECRETKEYEXAMPLE00000000000000000', ...credentials },
    http,
    now: () => FIXED_NOW,
    nonce: () => `nonce-${(counter += 1)}`,
  };
}

export function pem(label: string, body: string): string {
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function leafInfo(overrides: Partial<CertificateInfo> = {}): CertificateInfo {
  return {
    keyAlgorithm: 'RSA',
    keySize: 2048,
    curve: null,
    fingerprintSha256: '1a2b3c4d'.padEnd(64, '0'),
    fingerprintSha1: 'f'.repeat(40),
    serialNumber: '1',
    serialDecimal: '1',
    subject: 'CN=example.com',
    commonName: 'example.com',
    issuer: 'CN=Example CA',
    issuerCommonName: 'Example CA',
    dnsNames: ['example.com', 'www.example.com'],
    ipAddresses: [],
    emailAddresses: [],
    uris: [],
    notBefore: '2025-01-01T00:00:00.000Z',
    notAfter: '2026-01-31T23:59:59.000Z',
    signatureAlgorithm: 'sha256WithRSAEncryption',
    keyUsage: [],
    extendedKeyUsage: [],
    isCA: false,
    pathLength: null,
    subjectKeyIdentifier: null,
    authorityKeyIdentifier: null,
    ocspUrls: [],
    caIssuerUrls: [],
    crlUrls: [],
    policies: [],
    validationLevel: 'DV',
    selfSigned: false,
    pem: pem('CERTIFICATE', 'MIIBleaf'),
    ...overrides,
  };
}

export function material(overrides: Partial<UploadMaterial> = {}): UploadMaterial {
  const leaf = overrides.leaf ?? leafInfo();
  return {
    leaf,
    certificatePem: leaf.pem,
    chainPem: pem('CERTIFICATE', 'MIIBintermediate'),
    privateKeyPem: pem('PRIVATE KEY', 'MIIEkey'),
    sm2Sign: null,
    ...overrides,
  };
}
