// The size limits of what a user hands over (files, text, passwords), apart from the IPC contract
// that checks them on requests: the parse worker checks them too, and loading the contract (zod and
// every channel's schema) into that thread for a few numbers costs it megabytes.

const MAX_INPUT_BYTES = 5 * 1024 * 1024;

export const limits = {
  maxInputBytes: MAX_INPUT_BYTES,
  maxFilesPerRequest: 1000,
  /** All dropped files of one request together: a folder of certificates, not a disk image. */
  maxRequestBytes: 50 * 1024 * 1024,
  maxPasswordLength: 1024,
  maxTextLength: MAX_INPUT_BYTES,
} as const;
