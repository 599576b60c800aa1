import type { CloudId } from '../../shared/model';
import type { CloudError } from './provider';
import { refusedBeforeSending } from './cloud-error';
import { isLoopback } from './loopback';

// An account may replace a cloud's public endpoint with any https URL (private endpoint, gateway),
// or a plain http one on this machine (an emulator), port included. Plain http elsewhere would put
// the private key of every upload, and bearer tokens such as Huawei's X-Auth-Token, on the wire
// in clear. The request then goes there and the signature covers the Host header
// actually sent (`url.host`, with the port when it is not the scheme's default); only the
// credential scope keeps the API's own service name, which the signers take from the public
// endpoint, never from an overridden host.

/** The base URL requests go to: the override when given, else the public endpoint. */
export function resolveEndpoint(cloud: CloudId, override: string | null, publicUrl: string): URL {
  if (override === null || override.trim() === '') return new URL(publicUrl);
  let url: URL;
  try {
    url = new URL(override.trim());
  } catch {
    throw invalidEndpoint(cloud, 'it is not a URL', 'URL 格式不正确');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidEndpoint(cloud, 'only http:// and https:// are supported', '只支持 http:// 或 https://');
  if (url.protocol === 'http:' && !isLoopback(url)) {
    throw invalidEndpoint(cloud, 'plain http:// is only allowed on this machine (127.0.0.1, localhost, [::1]); use https://', '只有本机地址（127.0.0.1、localhost、[::1]）可以使用 http://，其他地址请使用 https://');
  }
  if (url.username || url.password) throw invalidEndpoint(cloud, 'it must not contain a user name or password', '不能包含用户名或密码');
  if (url.search || url.hash) throw invalidEndpoint(cloud, 'it must not contain a query (?) or fragment (#)', '不能包含查询串（?）或片段（#）');
  return url;
}

/** The Host header value to send and sign: host name plus the port when it is not the default. */
export function hostHeader(url: URL): string {
  return url.host;
}

function invalidEndpoint(cloud: CloudId, en: string, zh: string): CloudError {
  return refusedBeforeSending(cloud, {
    code: 'endpoint.invalid',
    kind: 'invalid',
    message: `The account's endpoint override is not usable: ${en}.`,
    hint: {
      en: `Fix the endpoint in the account settings (${en}), e.g. https://host:port, or clear it to use the public endpoint.`,
      'zh-CN': `请在账号设置中修改自定义接入地址（${zh}），例如 https://host:port；留空则使用公共地址。`,
    },
  });
}
