import { describe, expect, it } from 'vitest';
import { clientHelloSni, startsTlsHandshake } from '../../../../src/ingest/pcap/names/tls-sni.js';
import { clientHello } from './message-builders.js';

const sni = (bytes: Uint8Array) => clientHelloSni(bytes, 0, bytes.length);

describe('tls sni', () => {
  it('reads the host name of a ClientHello in one record', () => {
    expect(sni(clientHello({ sni: 'iam.cloud.ibm.com' }))).toEqual({ status: 'complete', name: 'iam.cloud.ibm.com' });
    expect(sni(clientHello({ sni: 'containers.cloud.ibm.com', paddingBefore: 1200, sessionIdLength: 0 }))).toEqual({ status: 'complete', name: 'containers.cloud.ibm.com' });
  });

  it('says when the ClientHello is complete without a name', () => {
    expect(sni(clientHello())).toEqual({ status: 'complete', name: null });
  });

  it('says how many bytes a ClientHello cut by the segment end needs', () => {
    const hello = clientHello({ sni: 'icr.io', paddingBefore: 1500 });
    expect(clientHelloSni(hello, 0, 1000)).toEqual({ status: 'incomplete', needed: hello.length });
  });

  it('passes over other records and malformed lengths', () => {
    const hello = clientHello({ sni: 'icr.io' });
    const serverHello = hello.slice();
    serverHello[5] = 2;
    expect(startsTlsHandshake(serverHello, 0, serverHello.length)).toBe(false);
    expect(sni(serverHello)).toEqual({ status: 'not-client-hello' });
    const applicationData = hello.slice();
    applicationData[0] = 0x17;
    expect(sni(applicationData)).toEqual({ status: 'not-client-hello' });
    // A handshake longer than its record (continued in a next record) is skipped.
    const multiRecord = hello.slice();
    multiRecord[3] = 0;
    multiRecord[4] = 20;
    expect(sni(multiRecord)).toEqual({ status: 'not-client-hello' });
    // A server name list running past its extension, and an extension running past the extensions.
    const nameAt = hello.length - 7 - 'icr.io'.length;
    const badList = hello.slice();
    badList[nameAt - 5] = 0xff;
    expect(sni(badList)).toEqual({ status: 'not-client-hello' });
    const badExtension = clientHello({ paddingBefore: 4 });
    badExtension[badExtension.length - 7 - 8 + 2] = 0xff;
    expect(sni(badExtension)).toEqual({ status: 'not-client-hello' });
  });

  it('returns hostile names verbatim', () => {
    const long = 'a'.repeat(300) + '.example';
    expect(sni(clientHello({ sni: long }))).toEqual({ status: 'complete', name: long });
    expect(sni(clientHello({ sni: new Uint8Array([0x3c, 0x62, 0x3e, 0x00, 0x0a, 0xff]) }))).toEqual({ status: 'complete', name: '<b>\x00\n\xff' });
  });

  it('never throws on random bytes', () => {
    let seed = 11;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    const base = clientHello({ sni: 'api.example.com', paddingBefore: 40 });
    for (let round = 0; round < 5000; round++) {
      const m = base.slice(0, 6 + (next() % (base.length - 5)));
      for (let flips = 1 + (next() % 4); flips > 0; flips--) m[6 + (next() % (m.length - 6))] = next();
      expect(() => sni(m)).not.toThrow();
    }
  });
});
