import http from 'node:http';
import net from 'node:net';
import { startTencentEmulator } from '/work/main/tests/emulators/tencent';
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import { execSync } from 'node:child_process';
import fs from 'node:fs';
execSync('openssl req -x509 -newkey rsa:2048 -nodes -keyout /tmp/hemu/k.pem -out /tmp/hemu/c.pem -subj /CN=a.example.com -addext subjectAltName=DNS:a.example.com,DNS:b.example.com -days 30 2>/dev/null');
const emu = await startTencentEmulator();
const agent = new http.Agent();
(agent as any).createConnection = (_o: unknown, cb: any) => net.connect(emu.port, '127.0.0.1', cb);
const client = new CommonClient('ssl.tencentcloudapi.com', '2019-12-05', {
  credential: { secretId: 'AKIDEXAMPLE0000000000000000000000000', secretKey: 'SECRETKEYEXAMPLE00000000000000000' },
  region: '', profile: { httpProfile: { protocol: 'http://', endpoint: 'ssl.tencentcloudapi.com', agent } as any },
});
const r = await client.request('UploadCertificate', { CertificatePublicKey: fs.readFileSync('/tmp/hemu/c.pem','utf8'), CertificatePrivateKey: fs.readFileSync('/tmp/hemu/k.pem','utf8'), Alias: 'x', Repeatable: false });
console.log(r);
console.log(await client.request('UploadCertificate', { CertificatePublicKey: fs.readFileSync('/tmp/hemu/c.pem','utf8'), CertificatePrivateKey: fs.readFileSync('/tmp/hemu/k.pem','utf8'), Alias: 'x', Repeatable: false }));
console.log(JSON.stringify(await client.request('DescribeCertificates', {})));
const bad = new CommonClient('ssl.tencentcloudapi.com', '2019-12-05', {
  credential: { secretId: 'AKIDEXAMPLE0000000000000000000000000', secretKey: 'wrong' },
  region: '', profile: { httpProfile: { protocol: 'http://', endpoint: 'ssl.tencentcloudapi.com', agent } as any },
});
try { await bad.request('DescribeCertificates', {}); } catch (e: any) { console.log('err', e.code, e.requestId); }
console.log(emu.state.calls.map(c=>c.outcome));
await emu.close();
