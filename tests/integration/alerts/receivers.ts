import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

// Loopback stand-ins for the five platforms. Each checks a request the way its platform documents
// and answers as the platform does, computing the signature itself from the secret it was given
// (never with the code under test):
// - DingTalk: `timestamp` (ms, within an hour) and `sign` query parameters; sign =
//   base64(HmacSHA256(secret, timestamp + "\n" + secret)), URL-encoded; wrong -> errcode 310000.
// - Feishu: `timestamp` (s) and `sign` in the body; sign = base64(HmacSHA256(key = timestamp + "\n"
//   + secret, message = "")); wrong -> code 19021.
// - WeCom: `key` query parameter; text content at most 2048 bytes; wrong key -> errcode 93000.
// - Slack: {"text"}; answers "ok".
// - JSON: X-CertVault-Signature = sha256=hex(HmacSHA256(secret, timestamp + "." + body)).

export type Platform = 'wecom' | 'dingtalk' | 'feishu' | 'slack' | 'json';

export interface Received {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
  readonly verified: boolean;
  /** The message text as the platform would show it. */
  readonly text: string;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

const HOUR_MS = 3_600_000;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function answer(platform: Platform, url: URL, headers: http.IncomingHttpHeaders, raw: string, secret: string | undefined, token: string): { status: number; body: string; verified: boolean; text: string } {
  const body = JSON.parse(raw) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const now = Date.now();
  switch (platform) {
    case 'wecom': {
      const text = body.msgtype === 'text' ? String(body.text?.content ?? '') : '';
      if (url.searchParams.get('key') !== token) return { status: 200, body: JSON.stringify({ errcode: 93000, errmsg: 'invalid webhook url' }), verified: false, text };
      if (!text || Buffer.byteLength(text) > 2048) return { status: 200, body: JSON.stringify({ errcode: 40058, errmsg: 'content exceed max length' }), verified: false, text };
      return { status: 200, body: JSON.stringify({ errcode: 0, errmsg: 'ok' }), verified: true, text };
    }
    case 'dingtalk': {
      const text = body.msgtype === 'text' ? String(body.text?.content ?? '') : '';
      const timestamp = url.searchParams.get('timestamp') ?? '';
      const sign = url.searchParams.get('sign') ?? '';
      const expected = createHmac('sha256', secret ?? '').update(`${timestamp}\n${secret ?? ''}`).digest('base64');
      const fresh = Math.abs(now - Number(timestamp)) < HOUR_MS;
      const ok = url.searchParams.get('access_token') === token && fresh && same(sign, expected) && text !== '';
      return { status: 200, body: JSON.stringify(ok ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' }), verified: ok, text };
    }
    case 'feishu': {
      const text = body.msg_type === 'text' ? String(body.content?.text ?? '') : '';
      const timestamp = String(body.timestamp ?? '');
      const expected = createHmac('sha256', `${timestamp}\n${secret ?? ''}`).update('').digest('base64');
      const fresh = Math.abs(now / 1000 - Number(timestamp)) < 3600;
      const ok = url.pathname.endsWith(`/${token}`) && fresh && same(String(body.sign ?? ''), expected) && text !== '';
      return { status: 200, body: JSON.stringify(ok ? { code: 0, msg: 'success', data: {} } : { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time', data: {} }), verified: ok, text };
    }
    case 'slack': {
      const text = String(body.text ?? '');
      const ok = url.pathname.endsWith(`/${token}`) && text !== '';
      return { status: ok ? 200 : 404, body: ok ? 'ok' : 'no_service', verified: ok, text };
    }
    case 'json': {
      const timestamp = String(headers['x-certvault-timestamp'] ?? '');
      const expected = `sha256=${createHmac('sha256', secret ?? '').update(`${timestamp}.${raw}`).digest('hex')}`;
      const ok = same(String(headers['x-certvault-signature'] ?? ''), expected) && Math.abs(now / 1000 - Number(timestamp)) < 300;
      return { status: ok ? 204 : 401, body: '', verified: ok, text: String(body.text ?? '') };
    }
  }
}

/** A receiver for `platform` that accepts `token` (in the URL) and `secret` (the signing secret). */
export async function startReceiver(platform: Platform, token: string, secret?: string): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const result = answer(platform, url, request.headers, raw, secret, token);
      received.push({ path: url.pathname, query: url.searchParams, headers: request.headers, body: JSON.parse(raw) as Record<string, unknown>, verified: result.verified, text: result.text });
      response.writeHead(result.status, { 'content-type': platform === 'slack' ? 'text/plain' : 'application/json' });
      response.end(result.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const paths: Record<Platform, string> = {
    wecom: `${base}/cgi-bin/webhook/send?key=${token}`,
    dingtalk: `${base}/robot/send?access_token=${token}`,
    feishu: `${base}/open-apis/bot/v2/hook/${token}`,
    slack: `${base}/services/T000/B000/${token}`,
    json: `${base}/hooks/certvault`,
  };
  return {
    url: paths[platform],
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
