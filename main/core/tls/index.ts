// What a TLS server serves for a name, and whether a deployment has reached visitors.
export { readServed, systemResolver, hexFingerprint, DEFAULT_PROBE_TIMEOUT_MS, MAX_CHAIN_CERTIFICATES } from './read-served';
export type { Endpoint, ReadServedOptions, TlsResolver } from './read-served';
export { verifyServed, systemClock, verifyDefaults, normalizeFingerprint } from './verify-served';
export type { VerifyAttempt, VerifyClock, VerifyServedOptions, VerifyTarget } from './verify-served';
export { parseTarget, type Target } from './target';
