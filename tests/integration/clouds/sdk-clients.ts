// Each cloud's official SDK (dev dependency only), pointed at a loopback emulator while keeping
// the real Host, so the SDK signs exactly what it would sign for the real cloud (REFERENCE 6).
// Every redirect returns its own undo; tests restore it after each case.

import http from 'node:http';
import net from 'node:net';
import Cas, { GetUserCertificateDetailRequest, ListCloudResourcesRequest, ListUserCertificateOrderRequest, UploadUserCertificateRequest } from '@alicloud/cas20200407';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder';
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient';
import { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger';
import { Service } from '@volcengine/openapi';
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';

export const TENCENT_HOST = 'ssl.tencentcloudapi.com';
export const TENCENT_INTL_HOST = 'ssl.intl.tencentcloudapi.com';
export const ALIYUN_HOST = 'cas.aliyuncs.com';
export const VOLCENGINE_HOST = 'live.volcengineapi.com';
export const HUAWEI_APIG_HOST = 'apig.cn-north-4.myhuaweicloud.com';
export const HUAWEI_IAM_HOST = 'iam.myhuaweicloud.com';

type Undo = () => void;

// ---- Tencent: a custom http.Agent through httpProfile.agent -------------------------------------

export interface TencentSdk {
  request(action: string, params: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** `region` becomes X-TC-Region (DeployCertificateInstance needs it for regional resource types). */
export function tencentSdk(port: number, secretId: string, secretKey: string, options: { host?: string; timeoutSeconds?: number; region?: string } = {}): TencentSdk {
  const agent = new http.Agent();
  agent.createConnection = () => net.connect(port, '127.0.0.1');
  const client = new CommonClient(options.host ?? TENCENT_HOST, '2019-12-05', {
    credential: { secretId, secretKey },
    region: options.region ?? '',
    profile: {
      httpProfile: {
        protocol: 'http://',
        endpoint: options.host ?? TENCENT_HOST,
        agent,
        ...(options.timeoutSeconds === undefined ? {} : { reqTimeout: options.timeoutSeconds }),
      },
    },
  });
  return { request: (action, params) => client.request(action, params) as Promise<Record<string, unknown>> };
}

// ---- Alibaba and Huawei: patch http.Agent.prototype.createConnection for their hosts only --------

/** Sends connections for `hosts` to 127.0.0.1:port; everything else connects as usual. */
export function redirectHosts(hosts: readonly string[], port: number): Undo {
  const original = http.Agent.prototype.createConnection;
  http.Agent.prototype.createConnection = function (this: http.Agent, options, callback) {
    const host = (options as { host?: string }).host ?? '';
    if (hosts.includes(host)) return net.connect(port, '127.0.0.1');
    return original.call(this, options, callback);
  };
  return () => {
    http.Agent.prototype.createConnection = original;
  };
}

export function aliyunSdk(accessKeyId: string, accessKeySecret: string, signatureAlgorithm?: 'v2'): Cas {
  const config = new $OpenApiUtil.Config({ accessKeyId, accessKeySecret, endpoint: ALIYUN_HOST, protocol: 'http' });
  if (signatureAlgorithm !== undefined) config.signatureAlgorithm = signatureAlgorithm;
  return new Cas(config);
}

export { GetUserCertificateDetailRequest, ListCloudResourcesRequest, ListUserCertificateOrderRequest, UploadUserCertificateRequest };

/** An error thrown by openapi-core (ClientError / ThrottlingError / ServerError). */
export interface AliyunSdkError {
  readonly name: string;
  readonly code: string;
  readonly statusCode: number;
  readonly requestId: string;
}

// ---- Volcengine: its fetch honours VOLC_PROXY_HOST / VOLC_PROXY_PORT ------------------------------

export function proxyVolcengine(port: number): Undo {
  const saved = { host: process.env.VOLC_PROXY_HOST, port: process.env.VOLC_PROXY_PORT };
  process.env.VOLC_PROXY_HOST = '127.0.0.1';
  process.env.VOLC_PROXY_PORT = String(port);
  return () => {
    for (const [name, value] of [['VOLC_PROXY_HOST', saved.host], ['VOLC_PROXY_PORT', saved.port]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

export interface VolcengineAnswer {
  readonly ResponseMetadata: { readonly RequestId: string; readonly Error?: { readonly Code: string; readonly CodeN?: number; readonly Message: string } };
  readonly Result?: Record<string, unknown>;
}

export function volcengineSdk(accessKeyId: string, secretKey: string): (action: string, body: Record<string, unknown>) => Promise<VolcengineAnswer> {
  const service = new Service({ host: VOLCENGINE_HOST, serviceName: 'live', region: 'cn-north-1', protocol: 'http:', accessKeyId, secretKey });
  // The SDK resolves (never throws) on HTTP errors: the error is in ResponseMetadata.
  return (action, body) => service.createJSONAPI(action, { Version: '2023-01-01' })(body) as Promise<VolcengineAnswer>;
}

// ---- Huawei: a minimal APIG + IAM client on the core ClientBuilder (the APIG package is not on npm) --

// The core's default log4js logger prints whole axios configs, Authorization included, on errors.
Logger4jInstance.level = 'off';

export class MinimalApigClient {
  constructor(private readonly hc: HcClient) {}

  /** Options copied from huaweicloud-sdk-nodejs-v3 ApigClient ParamCreater().createCertificateV2. */
  createCertificateV2(projectId: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.hc.sendRequest({
      method: 'POST',
      url: '/v2/{project_id}/apigw/certificates',
      contentType: 'application/json;charset=UTF-8',
      queryParams: {},
      pathParams: { project_id: projectId },
      headers: {},
      data: body,
    }) as unknown as Promise<Record<string, unknown>>;
  }

  listCertificatesV2(projectId: string, query: Record<string, string | number>): Promise<Record<string, unknown>> {
    return this.hc.sendRequest({
      method: 'GET',
      url: '/v2/{project_id}/apigw/certificates',
      contentType: 'application/json',
      queryParams: query,
      pathParams: { project_id: projectId },
      headers: {},
    }) as unknown as Promise<Record<string, unknown>>;
  }

  /** ShowDetailsOfCertificateV2, ListAttachedDomainsV2 and ListInstancesV2: GETs like listCertificatesV2. */
  get(url: string, pathParams: Record<string, string>, query: Record<string, string | number> = {}): Promise<Record<string, unknown>> {
    return this.hc.sendRequest({
      method: 'GET',
      url,
      contentType: 'application/json',
      queryParams: query,
      pathParams,
      headers: {},
    }) as unknown as Promise<Record<string, unknown>>;
  }

  /** The deploy actions (PUT update, POST attach/detach answering 204, DELETE), as the APIG client builds them. */
  send(method: 'POST' | 'PUT' | 'DELETE', url: string, pathParams: Record<string, string>, data?: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.hc.sendRequest({
      method,
      url,
      contentType: 'application/json',
      queryParams: {},
      pathParams,
      headers: {},
      ...(data === undefined ? {} : { data }),
    }) as unknown as Promise<Record<string, unknown>>;
  }

  keystoneListProjects(name: string): Promise<Record<string, unknown>> {
    return this.hc.sendRequest({
      method: 'GET',
      url: '/v3/projects',
      contentType: 'application/json',
      queryParams: { name },
      pathParams: {},
      headers: {},
    }) as unknown as Promise<Record<string, unknown>>;
  }
}

export function huaweiSdk(host: string, ak: string, sk: string, projectId?: string): MinimalApigClient {
  const credentials = new BasicCredentials().withAk(ak).withSk(sk);
  if (projectId !== undefined) credentials.withProjectId(projectId);
  return new ClientBuilder<MinimalApigClient>((hc) => new MinimalApigClient(hc)).withCredential(credentials).withEndpoint(`http://${host}`).build();
}

/** ClientRequestException / ServerResponseException of the core SDK. */
export interface HuaweiSdkError {
  readonly httpStatusCode: number;
  readonly errorCode: string;
  readonly errorMsg: string;
  readonly requestId: string;
}
