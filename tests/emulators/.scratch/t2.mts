import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import { startAliyunEmulator } from '../aliyun';
import Cas, * as $Cas from '@alicloud/cas20200407';
import { $OpenApiUtil } from '@alicloud/openapi-core';
const emu = await startAliyunEmulator();
const orig = http.Agent.prototype.createConnection;
(http.Agent.prototype as any).createConnection = function (o: any, cb: any) { return o.host === 'cas.aliyuncs.com' ? net.connect(emu.port, '127.0.0.1', cb) : orig.call(this, o, cb); };
const CasClient = (Cas as any).default ?? Cas;
for (const [secret, alg, name] of [['ExampleAccessKeySecret0000000000', undefined, 'n1'], ['ExampleAccessKeySecret0000000000', 'v2', 'n2'], ['bad', undefined, 'n3'], ['ExampleAccessKeySecret0000000000', undefined, 'n1']] as const) {
  const cfg = new $OpenApiUtil.Config({ accessKeyId: 'LTAIEXAMPLEACCESSKEY', accessKeySecret: secret, endpoint: 'cas.aliyuncs.com', protocol: 'http' });
  if (alg) (cfg as any).signatureAlgorithm = alg;
  const client = new CasClient(cfg);
  try {
    const r = await client.uploadUserCertificate(new ($Cas as any).UploadUserCertificateRequest({ name, cert: fs.readFileSync('/tmp/hemu/c.pem','utf8'), key: fs.readFileSync('/tmp/hemu/k.pem','utf8') }));
    console.log(r.statusCode, r.body.certId, r.body.requestId);
  } catch (e: any) { console.log('err', e.name, e.code, e.statusCode, e.requestId, e.message.slice(0,100)); }
}
const client = new CasClient(new $OpenApiUtil.Config({ accessKeyId: 'LTAIEXAMPLEACCESSKEY', accessKeySecret: 'ExampleAccessKeySecret0000000000', endpoint: 'cas.aliyuncs.com', protocol: 'http' }));
const l = await client.listUserCertificateOrder(new ($Cas as any).ListUserCertificateOrderRequest({ orderType: 'UPLOAD' }));
console.log(JSON.stringify(l.body).slice(0, 500));
emu.faults.throttle();
try { await client.listUserCertificateOrder(new ($Cas as any).ListUserCertificateOrderRequest({ orderType: 'UPLOAD' })); } catch (e: any) { console.log('err', e.name, e.code, e.statusCode, e.retryAfter); }
console.log(emu.state.calls.map(c=>c.outcome + ' ' + c.path + ' ' + c.headers['content-type']));
http.Agent.prototype.createConnection = orig;
await emu.close();
