import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import { startHuaweiEmulator } from '../huawei';
import { createRequire } from 'node:module'; const req = createRequire(import.meta.url); const { ClientBuilder } = req('@huaweicloud/huaweicloud-sdk-core/ClientBuilder'); const { BasicCredentials } = req('@huaweicloud/huaweicloud-sdk-core');
const emu = await startHuaweiEmulator();
const orig = http.Agent.prototype.createConnection;
(http.Agent.prototype as any).createConnection = function (o: any, cb: any) { return /myhuaweicloud/.test(o.host) ? net.connect(emu.port, '127.0.0.1', cb) : orig.call(this, o, cb); };
class Apig { constructor(private hc: any) {}
  create(projectId: string, data: any) { return this.hc.sendRequest({ method: 'POST', url: '/v2/{project_id}/apigw/certificates', contentType: 'application/json;charset=UTF-8', queryParams: {}, pathParams: { project_id: projectId }, headers: {}, data }); }
  list(projectId: string) { return this.hc.sendRequest({ method: 'GET', url: '/v2/{project_id}/apigw/certificates', contentType: 'application/json', queryParams: { instance_id: 'common' }, pathParams: { project_id: projectId }, headers: {} }); }
}
const mk = (sk: string) => new ClientBuilder<Apig>((hc: any) => new Apig(hc)).withCredential(new BasicCredentials().withAk('HWAKEXAMPLE0000000000').withSk(sk).withProjectId('0123456789abcdef0123456789abcdef')).withEndpoint('http://apig.cn-north-4.myhuaweicloud.com').build();
const c = mk('HwSecretKeyExample00000000000000000000000');
const pid = '0123456789abcdef0123456789abcdef';
try { const r = await c.create(pid, { name: 'test_cert', cert_content: fs.readFileSync('/tmp/hemu/c.pem','utf8'), private_key: fs.readFileSync('/tmp/hemu/k.pem','utf8'), type: 'global', instance_id: 'common' }); console.log(JSON.stringify(r).slice(0,400)); } catch (e: any) { console.log('err', e.httpStatusCode, e.errorCode, e.errorMsg); }
try { const r = await c.list(pid); console.log(JSON.stringify(r).slice(0,300)); } catch (e: any) { console.log('err', e.httpStatusCode, e.errorCode, e.errorMsg); }
try { await mk('bad').list(pid); } catch (e: any) { console.log('err', e.httpStatusCode, e.errorCode, e.errorMsg, e.requestId); }
console.log(emu.state.calls.map(c => c.outcome + ' ' + c.host + ' ' + c.headers.authorization?.slice(0,80)));
http.Agent.prototype.createConnection = orig;
await emu.close();
