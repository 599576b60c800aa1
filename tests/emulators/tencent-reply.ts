// Tencent's answer envelopes and parameter checks, shared by the emulator's action modules.

import { requestId } from './digest';
import type { Reply } from './server';

/** `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8), as the console and API show dates. */
export function beijingTime(date: Date): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export function unknownParameter(params: Record<string, unknown>, known: ReadonlySet<string>): Reply | null {
  const unknown = Object.keys(params).find((name) => !known.has(name));
  return unknown === undefined ? null : tencentError('UnknownParameter', `The parameter \`${unknown}\` is not recognized.`);
}

export function invalidType(name: string): Reply {
  return tencentError('InvalidParameter', `The value type of parameter \`${name}\` is not valid.`);
}

export function tencentOk(result: Record<string, unknown>): Reply {
  return { status: 200, body: { Response: { ...result, RequestId: requestId() } } };
}

export function tencentError(code: string, message: string, status = 200): Reply {
  return { status, body: { Response: { Error: { Code: code, Message: message }, RequestId: requestId() } } };
}

export function errorCodeOf(reply: Reply): string | undefined {
  const response = (reply.body as { Response?: { Error?: { Code?: string } } }).Response;
  return response?.Error?.Code;
}
