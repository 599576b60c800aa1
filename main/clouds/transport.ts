import type { CloudId } from '../../shared/model';
import { TransportError, type HttpClient, type HttpRequest, type HttpResponse } from './http';
import { CloudError } from './provider';
import type { Hint } from './cloud-error';

// Cloud clients send through `sendToCloud`, so a transport failure surfaces as a CloudError of kind
// 'network' for that cloud, carrying the transport's verdict on whether the request may have
// reached the server.

const HINTS: Readonly<Record<string, Hint>> = {
  timeout: {
    en: 'The cloud did not answer in time. If this was an upload, check whether the certificate arrived before trying again.',
    'zh-CN': '云端未在规定时间内响应。如果是上传操作，请先确认证书是否已上传成功，再决定是否重试。',
  },
  ENOTFOUND: {
    en: 'The endpoint host name does not resolve. Check the endpoint in the account settings and your DNS.',
    'zh-CN': '无法解析接入地址的域名。请检查账号设置中的接入地址和 DNS。',
  },
  ECONNREFUSED: {
    en: 'Nothing accepts connections at the endpoint. Check the endpoint (host and port) and any firewall.',
    'zh-CN': '接入地址拒绝连接。请检查地址（主机和端口）以及防火墙设置。',
  },
  proxy_refused: {
    en: 'The proxy refused to connect to the cloud. Check HTTPS_PROXY / HTTP_PROXY and NO_PROXY.',
    'zh-CN': '代理服务器拒绝连接到云端。请检查 HTTPS_PROXY / HTTP_PROXY 和 NO_PROXY 设置。',
  },
  tls: {
    en: "The endpoint's TLS certificate could not be verified. Check the endpoint URL, or the proxy if it intercepts TLS.",
    'zh-CN': '无法验证接入地址的 TLS 证书。请检查接入地址；如果代理会拦截 TLS，也请检查代理。',
  },
  response_too_large: {
    en: 'The answer was unexpectedly large and was cut off. Check that the endpoint really is this cloud.',
    'zh-CN': '响应体异常过大，已中止读取。请确认接入地址确实指向该云服务。',
  },
  aborted: { en: 'Cancelled.', 'zh-CN': '已取消。' },
};

const DEFAULT_HINT: Hint = {
  en: 'The connection to the cloud failed. Check your network, proxy settings and the endpoint, then try again.',
  'zh-CN': '与云端的连接失败。请检查网络、代理设置和接入地址后重试。',
};

export function networkError(cloud: CloudId, error: TransportError): CloudError {
  return new CloudError({
    cloud,
    code: error.code,
    message: error.message,
    kind: 'network',
    retryable: error.retryable,
    requestId: null,
    httpStatus: null,
    mayHaveReachedServer: error.mayHaveReachedServer,
    hint: HINTS[error.code] ?? (error.code === 'EAI_AGAIN' ? HINTS.ENOTFOUND! : DEFAULT_HINT),
  });
}

export async function sendToCloud(cloud: CloudId, http: HttpClient, request: HttpRequest): Promise<HttpResponse> {
  try {
    return await http.send(request);
  } catch (error) {
    if (error instanceof TransportError) throw networkError(cloud, error);
    throw error;
  }
}
