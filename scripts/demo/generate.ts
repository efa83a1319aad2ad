/**
 * The demo deployment's data, generated rather than committed as opaque blobs: one hour
 * (2024-11-05 10:00-11:00 UTC) of an IBM API Connect deployment in one AWS VPC, as three inputs
 * `flowaudit ingest` reads —
 *
 *   capture.pcap   tcpdump -s 256 on the two DataPower gateway instances, merged (classic pcap, Ethernet)
 *   vpc/AWSLogs/…  the gateways' VPC flow log, as an S3 download (custom format with a header line)
 *   calico/flows.log  Calico Enterprise flow log of the EKS cluster running management, portal and analytics
 *
 * Addresses follow fixtures/demo/inventory.yaml. Most traffic is documented API Connect flows
 * (rules/apic-firewall.yaml); a few anomalies are planted on purpose, each marked PLANTED below:
 *
 *   a. exfiltration: gw-2 sends megabytes over TLS to 203.0.113.66:443 (files.exfil-drop.example)
 *   b. a port scan of gw-1 ports 1-100 from 192.0.2.99
 *   c. apic-firewall/gateway-xml-management attempted and never answered (unanswered)
 *   d. apic-firewall/portal-to-analytics never generated, though portal and analytics both appear (unobserved)
 *   e. apic-firewall/datapower-administration rejected by the gateway security group (denied)
 *   f. SSH and RDP from the internet reaching the gateways
 *
 * Deterministic: a fixed clock, a seeded generator, no Date.now(). Same bytes on every run; the
 * demo test holds the committed files to that.
 *
 * Run: node dist/scripts/demo/generate.js [DIR]   (DIR defaults to fixtures/demo/data)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TcpFlag, concat, ethernet, ipv4, ipv4Address, ipv6, tcp, udp } from '../../test/helpers/packet-builder.js';
import { writePcap } from '../../test/helpers/pcap-writer.js';
import type { PcapRecord } from '../../test/helpers/pcap-writer.js';
import { packageRoot } from '../../src/rules/package-root.js';
import { mulberry32 } from '../../bench/seeded-random.js';

// ---------------------------------------------------------------------------------------------
// The deployment

/** 2024-11-05 10:00:00 UTC, the start of the demo hour, in seconds. */
const T0 = Date.UTC(2024, 10, 5, 10, 0, 0) / 1000;
const MINUTE = 60;
const SECOND_US = 1_000_000;

/** Hosts by role; the inventory binds the 10.20.x subnets and the API consumers' range. */
const HOST = {
  gw1: '10.20.1.11',
  gw2: '10.20.1.12',
  gw1v6: '2001:db8:20:1::11',
  management: '10.20.2.21',
  /** The analytics ingestion load balancer in the analytics subnet. */
  analytics: '10.20.4.31',
  /** The VPC resolver (base + 2) and a monitoring host: inside the VPC, in no inventory endpoint. */
  resolver: '10.20.0.2',
  monitoring: '10.20.0.50',
  /** An operator's workstation on the corporate VPN (protected). */
  operator: '10.10.5.20',
  scanner: '192.0.2.99',
  exfilDrop: '203.0.113.66',
  sshBruteForcer: '203.0.113.200',
  rdpProber: '203.0.113.201',
} as const;

/** API consumers (public): partner networks, one of them over IPv6. */
const CONSUMERS = ['198.51.100.10', '198.51.100.23', '198.51.100.47', '198.51.100.88', '2001:db8:100::25'];

const API_HOST = 'api.demo.example';
const EXFIL_HOST = 'files.exfil-drop.example';

/** Relative paths of the files written, in the order written. */
const CAPTURE_FILE = 'capture.pcap';
const VPC_FILE = 'vpc/AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/11/05/123456789012_vpcflowlogs_us-east-1_fl-0c1d2e3f4a5b6c7d8_20241105T1000Z_5e8a1f3c.log';
const CALICO_FILE = 'calico/flows.log';

// ---------------------------------------------------------------------------------------------
// Determinism

/** Integers in [lo, hi] from one seeded generator. */
class Dice {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}

/** Ephemeral client ports, increasing per client address (Linux picks from 32768-60999). */
class PortAllocator {
  private readonly last = new Map<string, number>();
  constructor(private readonly dice: Dice) {}

  next(client: string): number {
    const port = (this.last.get(client) ?? this.dice.int(32768, 40000)) + this.dice.int(1, 97);
    this.last.set(client, port);
    return port;
  }
}

/** tcpdump -s 256: headers and the start of each payload; the IP length fields keep the real size. */
const SNAPLEN = 256;
/** Ethernet, IPv6 and TCP headers: what comes before a payload at most. */
const LARGEST_HEADERS = 14 + 40 + 20;

// ---------------------------------------------------------------------------------------------
// Payload bytes: just enough protocol for the ingester's DNS and SNI readers, filler elsewhere

const be16 = (n: number) => Uint8Array.of((n >> 8) & 0xff, n & 0xff);
const be24 = (n: number) => Uint8Array.of((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
const be32 = (n: number) => Uint8Array.of((n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
const ascii = (text: string) => new TextEncoder().encode(text);

function tlsExtension(type: number, body: Uint8Array): Uint8Array {
  return concat(be16(type), be16(body.length), body);
}

/**
 * A TLS 1.3 ClientHello in one record, naming `serverName` (server_name extension), small
 * enough to survive the capture's 256-byte snaplen whole — the SNI reader needs all of it.
 */
function clientHello(serverName: string, dice: Dice): Uint8Array {
  const name = ascii(serverName);
  const extensions = concat(
    tlsExtension(0x0000, concat(be16(name.length + 3), Uint8Array.of(0), be16(name.length), name)), // server_name
    tlsExtension(0x000a, concat(be16(4), be16(0x001d), be16(0x0017))), // supported_groups: x25519, secp256r1
    tlsExtension(0x000d, concat(be16(6), be16(0x0403), be16(0x0804), be16(0x0401))), // signature_algorithms
    tlsExtension(0x002b, concat(Uint8Array.of(4), be16(0x0304), be16(0x0303))), // supported_versions: 1.3, 1.2
    tlsExtension(0x0033, concat(be16(36), be16(0x001d), be16(32), dice.bytes(32))), // key_share
  );
  const suites = concat(be16(6), be16(0x1301), be16(0x1302), be16(0x1303));
  const body = concat(be16(0x0303), dice.bytes(32), Uint8Array.of(0), suites, Uint8Array.of(1, 0), be16(extensions.length), extensions);
  const handshake = concat(Uint8Array.of(1), be24(body.length), body);
  const record = concat(Uint8Array.of(0x16, 3, 1), be16(handshake.length), handshake);
  if (LARGEST_HEADERS + record.length > SNAPLEN) throw new Error(`the ClientHello for ${serverName} would be cut by the snaplen`);
  return record;
}

/** `length` bytes of TLS records of `contentType` (0x16 handshake, 0x17 application data), random bodies. */
function tlsRecords(contentType: number, length: number, dice: Dice): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let left = length; left > 5; ) {
    const body = Math.min(left - 5, 16384);
    parts.push(concat(Uint8Array.of(contentType, 3, 3), be16(body), dice.bytes(body)));
    left -= body + 5;
  }
  return concat(...parts);
}

function dnsName(name: string): Uint8Array {
  return concat(...name.split('.').map((label) => concat(Uint8Array.of(label.length), ascii(label))), Uint8Array.of(0));
}

/** A standard query for the A record of `name`. */
function dnsQuery(id: number, name: string): Uint8Array {
  return concat(be16(id), be16(0x0100), be16(1), be16(0), be16(0), be16(0), dnsName(name), be16(1), be16(1));
}

/** The resolver's answer: `name` has address `address` (TTL 60), the name compressed to the question's. */
function dnsAnswer(id: number, name: string, address: string): Uint8Array {
  const question = concat(dnsName(name), be16(1), be16(1));
  const answer = concat(be16(0xc00c), be16(1), be16(1), be32(60), be16(4), ipv4Address(address));
  return concat(be16(id), be16(0x8180), be16(1), be16(1), be16(0), be16(0), question, answer);
}

/** SNMPv2c PDUs, BER-encoded: a GetRequest for sysUpTime, its response, and a trap. */
function snmpMessage(pduTag: number, requestId: number, value: Uint8Array): Uint8Array {
  const tlv = (tag: number, body: Uint8Array) => concat(Uint8Array.of(tag, body.length), body);
  const sysUpTime = Uint8Array.of(0x2b, 6, 1, 2, 1, 1, 3, 0);
  const varbind = tlv(0x30, concat(tlv(0x06, sysUpTime), value));
  const pdu = tlv(pduTag, concat(tlv(0x02, be32(requestId)), tlv(0x02, Uint8Array.of(0)), tlv(0x02, Uint8Array.of(0)), tlv(0x30, varbind)));
  return tlv(0x30, concat(tlv(0x02, Uint8Array.of(1)), tlv(0x04, ascii('monitor')), pdu));
}

// ---------------------------------------------------------------------------------------------
// The capture: frames as the gateway hosts' tcpdump saw them

/** TSO/GRO on the capturing host hands tcpdump segments of up to 64 KB, so big transfers cost few records. */
const MAX_SEGMENT = 64_000;
/** MSS 1460 in the SYN and SYN-ACK options. */
const MSS_OPTION = Uint8Array.of(2, 4, 0x05, 0xb4);

interface Frame {
  micros: number;
  bytes: Uint8Array;
}

/** Link addresses: the captured gateways have their own, every other host is behind the VPC router. */
const GATEWAY_MAC: Readonly<Record<string, string>> = {
  [HOST.gw1]: '02:0a:14:01:00:0b',
  [HOST.gw1v6]: '02:0a:14:01:00:0b',
  [HOST.gw2]: '02:0a:14:01:00:0c',
};
const ROUTER_MAC = '02:0a:14:01:00:01';

function macOf(address: string): string {
  return GATEWAY_MAC[address] ?? ROUTER_MAC;
}

/** An Ethernet frame carrying `proto` from `src` to `dst`, IPv4 or IPv6 by the address. */
function ipFrame(src: string, dst: string, proto: number, payload: Uint8Array, ipId: number): Uint8Array {
  const packet = src.includes(':') ? ipv6({ src, dst, proto, payload }) : ipv4({ src, dst, proto, payload, id: ipId, dontFragment: proto === 6 });
  return ethernet(packet, { src: macOf(src), dst: macOf(dst) });
}

type Side = 'client' | 'server';

/**
 * One TCP connection as packets, written step by step in time order. Sequence and
 * acknowledgement numbers are kept per side, so the ingester sees a coherent conversation.
 */
class TcpConversation {
  readonly frames: Frame[] = [];
  private readonly nextSeq: Record<Side, number>;
  private readonly ipId: Record<Side, number>;

  constructor(
    private readonly client: { ip: string; port: number },
    private readonly server: { ip: string; port: number },
    private micros: number,
    /** Round-trip time, microseconds. */
    private readonly rtt: number,
    dice: Dice,
  ) {
    this.nextSeq = { client: dice.int(1, 2 ** 31), server: dice.int(1, 2 ** 31) };
    this.ipId = { client: dice.int(1, 60000), server: dice.int(1, 60000) };
  }

  /** Lets `micros` pass before the next packet. */
  wait(micros: number): this {
    this.micros += micros;
    return this;
  }

  /** One segment from `from`; the other side's next sequence number is acknowledged unless it is a bare SYN. */
  send(from: Side, flags: number, payload: Uint8Array = new Uint8Array(0)): this {
    const to: Side = from === 'client' ? 'server' : 'client';
    const [src, dst] = from === 'client' ? [this.client, this.server] : [this.server, this.client];
    const syn = (flags & TcpFlag.SYN) !== 0;
    const segment = tcp({
      srcPort: src.port,
      dstPort: dst.port,
      flags,
      seq: this.nextSeq[from],
      ack: (flags & TcpFlag.ACK) !== 0 ? this.nextSeq[to] : 0,
      ...(syn ? { options: MSS_OPTION } : {}),
      payload,
    });
    this.frames.push({ micros: this.micros, bytes: ipFrame(src.ip, dst.ip, 6, segment, this.ipId[from]++ & 0xffff) });
    this.nextSeq[from] = (this.nextSeq[from] + payload.length + (syn ? 1 : 0) + ((flags & TcpFlag.FIN) !== 0 ? 1 : 0)) >>> 0;
    return this;
  }

  handshake(): this {
    return this.send('client', TcpFlag.SYN)
      .wait(this.rtt / 2)
      .send('server', TcpFlag.SYN | TcpFlag.ACK)
      .wait(this.rtt / 2)
      .send('client', TcpFlag.ACK);
  }

  /** `data` from one side in segments of at most MAX_SEGMENT, then the other side's ACK. */
  transfer(from: Side, data: Uint8Array): this {
    for (let at = 0; at < data.length; at += MAX_SEGMENT) {
      this.send(from, TcpFlag.PSH | TcpFlag.ACK, data.subarray(at, at + MAX_SEGMENT)).wait(150);
    }
    return this.wait(this.rtt / 2).send(from === 'client' ? 'server' : 'client', TcpFlag.ACK).wait(this.rtt / 2);
  }

  /** A request and, after the server's `serviceMicros`, its response. */
  exchange(request: Uint8Array, response: Uint8Array, serviceMicros: number): this {
    this.send('client', TcpFlag.PSH | TcpFlag.ACK, request).wait(this.rtt / 2 + serviceMicros);
    return this.transfer('server', response);
  }

  /** The client closes: FIN, the server's FIN-ACK, the last ACK. */
  close(): this {
    return this.send('client', TcpFlag.FIN | TcpFlag.ACK)
      .wait(this.rtt / 2)
      .send('server', TcpFlag.FIN | TcpFlag.ACK)
      .wait(this.rtt / 2)
      .send('client', TcpFlag.ACK);
  }

  /** Handshake, ClientHello naming `sni`, the server's flight and the client's Finished. */
  tlsHandshake(sni: string, dice: Dice): this {
    return this.handshake()
      .send('client', TcpFlag.PSH | TcpFlag.ACK, clientHello(sni, dice))
      .wait(this.rtt / 2 + 400)
      .transfer('server', tlsRecords(0x16, dice.int(2600, 4200), dice))
      .send('client', TcpFlag.PSH | TcpFlag.ACK, tlsRecords(0x17, 80, dice));
  }
}

/** A UDP datagram as a frame at `micros`. */
function udpFrame(micros: number, src: string, srcPort: number, dst: string, dstPort: number, payload: Uint8Array): Frame {
  return { micros, bytes: ipFrame(src, dst, 17, udp({ srcPort, dstPort, payload }), (micros / 1000) & 0xffff) };
}

const at = (minutes: number, seconds = 0) => (T0 + minutes * MINUTE + seconds) * SECOND_US;

type Range = readonly [number, number];

/** One TLS connection: who, when, and the sizes (ranges the dice pick from) of its requests and responses. */
interface TlsSessionSpec {
  client: string;
  server: string;
  port: number;
  /** The server name of the ClientHello. */
  sni: string;
  startMicros: number;
  rttMicros: Range;
  requests: number;
  requestBytes: Range;
  responseBytes: Range;
  serviceMicros: Range;
  /** The client's pause between requests on a kept-alive connection. */
  thinkMicros?: Range;
}

/** Handshake, the requests and responses, the client's close. */
function tlsSession(spec: TlsSessionSpec, dice: Dice, ports: PortAllocator): Frame[] {
  const pick = (range: Range) => dice.int(range[0], range[1]);
  const session = new TcpConversation({ ip: spec.client, port: ports.next(spec.client) }, { ip: spec.server, port: spec.port }, spec.startMicros, pick(spec.rttMicros), dice);
  session.tlsHandshake(spec.sni, dice);
  for (let n = 0; n < spec.requests; n++) {
    if (n > 0 && spec.thinkMicros) session.wait(pick(spec.thinkMicros));
    session.exchange(tlsRecords(0x17, pick(spec.requestBytes), dice), tlsRecords(0x17, pick(spec.responseBytes), dice), pick(spec.serviceMicros));
  }
  return session.close().frames;
}

/** Documented apic-firewall/api-request: consumers call the APIs on both gateways over TLS (SNI api.demo.example), keep-alive. */
function apiCalls(dice: Dice, ports: PortAllocator): Frame[] {
  return Array.from({ length: 16 }, (_, i) => {
    const consumer = CONSUMERS[i % CONSUMERS.length]!;
    const gateway = consumer.includes(':') ? HOST.gw1v6 : i % 2 === 0 ? HOST.gw1 : HOST.gw2;
    return tlsSession({
      client: consumer, server: gateway, port: 443, sni: API_HOST, startMicros: at(i * 3.5 + 1, dice.int(0, 59)), rttMicros: [18_000, 60_000],
      requests: dice.int(1, 3), requestBytes: [300, 2500], responseBytes: [500, 6000], serviceMicros: [5_000, 90_000], thinkMicros: [200_000, 3_000_000],
    }, dice, ports);
  }).flat();
}

/**
 * Documented apic-firewall/management-gateway-configuration (and gateway-service-port): the
 * management server pushes configuration to each gateway's service port 3000 every 15 minutes,
 * and the gateways call management's webhooks on 443 (the flow is both-ways).
 */
function managementGateway(dice: Dice, ports: PortAllocator): Frame[] {
  const gateways = [HOST.gw1, HOST.gw2];
  const pushes = [0, 1, 2, 3].flatMap((slot) => gateways.map((gateway, n) => tlsSession({
    client: HOST.management, server: gateway, port: 3000, sni: `gw-${n + 1}.gateway.apic.internal`, startMicros: at(slot * 15 + 2 + n, dice.int(0, 59)),
    rttMicros: [300, 900], requests: 1, requestBytes: [4000, 30_000], responseBytes: [200, 800], serviceMicros: [20_000, 200_000],
  }, dice, ports)));
  const webhooks = gateways.map((gateway, n) => tlsSession({
    client: gateway, server: HOST.management, port: 443, sni: 'platform.apic.internal', startMicros: at(25 + n * 20, dice.int(0, 59)),
    rttMicros: [300, 900], requests: 1, requestBytes: [600, 1500], responseBytes: [200, 600], serviceMicros: [10_000, 60_000],
  }, dice, ports));
  return [...pushes, ...webhooks].flat();
}

/** Documented apic-firewall/gateway-to-analytics: the gateways take turns posting API event batches every 10 minutes. */
function analyticsEvents(dice: Dice, ports: PortAllocator): Frame[] {
  return [0, 1, 2, 3, 4, 5].flatMap((slot) => tlsSession({
    client: slot % 2 === 0 ? HOST.gw1 : HOST.gw2, server: HOST.analytics, port: 443, sni: 'ai.analytics.apic.internal',
    startMicros: at(slot * 10 + 4, dice.int(0, 59)), rttMicros: [400, 1200],
    requests: 1, requestBytes: [40_000, 150_000], responseBytes: [100, 300], serviceMicros: [20_000, 80_000],
  }, dice, ports));
}

/** Documented apic-firewall/gateway-snmp (polls in) and gateway-snmp-traps (a trap out), to the monitoring host. */
function snmp(dice: Dice): Frame[] {
  const frames: Frame[] = [];
  const poller = 40161;
  for (const [n, gateway] of [HOST.gw1, HOST.gw2, HOST.gw1, HOST.gw2].entries()) {
    const t = at(n * 15 + 7, dice.int(0, 59));
    const id = dice.int(1, 2 ** 30);
    frames.push(udpFrame(t, HOST.monitoring, poller, gateway, 161, snmpMessage(0xa0, id, Uint8Array.of(0x05, 0))));
    frames.push(udpFrame(t + 2_300, gateway, 161, HOST.monitoring, poller, snmpMessage(0xa2, id, concat(Uint8Array.of(0x43, 4), be32(dice.int(1e6, 1e8))))));
  }
  frames.push(udpFrame(at(37, 12), HOST.gw1, 40162, HOST.monitoring, 162, snmpMessage(0xa7, dice.int(1, 2 ** 30), Uint8Array.of(0x43, 1, 0))));
  return frames;
}

/**
 * PLANTED (a) exfiltration, in the capture: gw-2 resolves files.exfil-drop.example (the VPC
 * resolver answers 203.0.113.66), then uploads about 7.7 MB over one 20-minute TLS session whose
 * ClientHello names the same host. No documented flow lets a gateway reach an internet host on
 * 443 — and the packs document no DNS for the gateways either, so the lookup is unexpected too.
 */
function exfiltration(dice: Dice, ports: PortAllocator): Frame[] {
  const queryId = dice.int(1, 65535);
  const dnsPort = ports.next(HOST.gw2);
  const start = at(20, 3);
  const frames = [
    udpFrame(start, HOST.gw2, dnsPort, HOST.resolver, 53, dnsQuery(queryId, EXFIL_HOST)),
    udpFrame(start + 1_100, HOST.resolver, 53, HOST.gw2, dnsPort, dnsAnswer(queryId, EXFIL_HOST, HOST.exfilDrop)),
  ];
  const upload = new TcpConversation({ ip: HOST.gw2, port: ports.next(HOST.gw2) }, { ip: HOST.exfilDrop, port: 443 }, start + 5_000, 82_000, dice);
  upload.tlsHandshake(EXFIL_HOST, dice);
  // 120 chunks of 64 KB, one every 10 s: a steady trickle that stays under a per-minute alarm.
  for (let chunk = 0; chunk < 120; chunk++) upload.wait(10 * SECOND_US).transfer('client', tlsRecords(0x17, MAX_SEGMENT, dice));
  frames.push(...upload.close().frames);
  return frames;
}

/**
 * PLANTED (b) a port scan: 192.0.2.99 (no inventory endpoint) sends one SYN to each of ports
 * 1-100 of gw-1 within two seconds, from one source port as a SYN scanner does. Closed ports
 * answer RST-ACK (state REJ); the open SSH port answers SYN-ACK and the scanner resets.
 * Ports 1-100 stay clear of the gateway ports any host may reach (3000, 5550, 9090, ...), so
 * every probe is unexpected.
 */
function portScan(dice: Dice): Frame[] {
  const frames: Frame[] = [];
  const scannerPort = 61_337;
  for (let port = 1; port <= 100; port++) {
    const probe = new TcpConversation({ ip: HOST.scanner, port: scannerPort }, { ip: HOST.gw1, port }, at(41, 7) + port * 19_000, 64_000, dice);
    probe.send('client', TcpFlag.SYN).wait(32_000);
    if (port === 22) probe.send('server', TcpFlag.SYN | TcpFlag.ACK).wait(32_000).send('client', TcpFlag.RST);
    else probe.send('server', TcpFlag.RST | TcpFlag.ACK);
    frames.push(...probe.frames);
  }
  return frames;
}

/**
 * PLANTED (c) a documented flow never answered: the operator's workstation opens the DataPower
 * XML management interface (apic-firewall/gateway-xml-management, port 5550) on gw-1; the
 * gateway's own firewall drops it silently, so the capture shows the SYN and its
 * retransmissions (1, 2, 4, 8 s backoff) and nothing back: state S0, verdict unanswered.
 */
function unansweredXmlManagement(dice: Dice, ports: PortAllocator): Frame[] {
  const attempt = new TcpConversation({ ip: HOST.operator, port: ports.next(HOST.operator) }, { ip: HOST.gw1, port: 5550 }, at(33, 41), 30_000, dice);
  attempt.send('client', TcpFlag.SYN);
  // A retransmission repeats the same sequence number: the conversation's counter is not advanced.
  const syn = attempt.frames[0]!;
  for (const backoff of [1, 3, 7, 15]) attempt.frames.push({ micros: syn.micros + backoff * SECOND_US, bytes: syn.bytes });
  return attempt.frames;
}

// PLANTED (d): apic-firewall/portal-to-analytics (portal → analytics:443) is generated nowhere,
// though the portal (Calico) and analytics (capture, VPC and Calico) both appear: unobserved.

function captureFrames(): Frame[] {
  const dice = new Dice(20241105);
  const ports = new PortAllocator(dice);
  const frames = [
    ...apiCalls(dice, ports),
    ...managementGateway(dice, ports),
    ...analyticsEvents(dice, ports),
    ...snmp(dice),
    ...exfiltration(dice, ports),
    ...portScan(dice),
    ...unansweredXmlManagement(dice, ports),
  ];
  // Stable sort: packets of one conversation sharing a timestamp keep their order.
  return frames.map((frame, order) => ({ frame, order })).sort((a, b) => a.frame.micros - b.frame.micros || a.order - b.order).map((f) => f.frame);
}

/** The frames as tcpdump -s 256 stores them: cut to the snaplen, original length kept. */
function capturePcap(): Uint8Array {
  const records: PcapRecord[] = captureFrames().map(({ micros, bytes }) => {
    const whole = Math.round(micros);
    return { tsSec: Math.floor(whole / SECOND_US), tsFrac: whole % SECOND_US, data: bytes.subarray(0, SNAPLEN), origlen: bytes.length };
  });
  return writePcap(records, { snaplen: SNAPLEN });
}

// ---------------------------------------------------------------------------------------------
// The VPC flow log of the gateway instances' network interfaces

/** Version 5 fields: tcp-flags and flow-direction let the ingester tell the client without guessing from ports. */
const VPC_FIELDS = [
  'version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes',
  'start', 'end', 'action', 'log-status', 'vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr',
  'pkt-dstaddr', 'region', 'az-id', 'flow-direction', 'traffic-path',
] as const;

/** The gateway instances: their interface, instance and zone. */
const GATEWAY_ENI: Record<string, { eni: string; instance: string; az: string }> = {
  [HOST.gw1]: { eni: 'eni-0a1b2c3d4e5f60711', instance: 'i-0a1b2c3d4e5f60711', az: 'use1-az1' },
  [HOST.gw1v6]: { eni: 'eni-0a1b2c3d4e5f60711', instance: 'i-0a1b2c3d4e5f60711', az: 'use1-az1' },
  [HOST.gw2]: { eni: 'eni-0a1b2c3d4e5f60712', instance: 'i-0a1b2c3d4e5f60712', az: 'use1-az2' },
};

/** tcp-flags as VPC flow logs OR them over a window: SYN 2, SYN-ACK 18, FIN 1, RST 4. */
const FLAGS = { none: 0, syn: 2, synAck: 18, fin: 1, rst: 4, synFin: 3, synAckFin: 19 } as const;

/** What one direction carried in one aggregation window. */
interface Counts {
  packets: number;
  bytes: number;
}

/** The same, with the tcp-flags a VPC flow log ORs over the window. */
interface Direction extends Counts {
  flags: number;
}

/** One connection across aggregation windows, as seen on the gateway's interface. */
interface VpcConnection {
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  windows: { start: number; end: number; request: Direction; response?: Direction }[];
  action?: 'ACCEPT' | 'REJECT';
}

/** One record line: `from` → `to` as the gateway interface saw it. */
function vpcLine(from: string, fromPort: number, to: string, toPort: number, d: Direction, w: { start: number; end: number }, action: string): string {
  const gatewaySends = from in GATEWAY_ENI;
  const gateway = GATEWAY_ENI[gatewaySends ? from : to]!;
  // Egress to the internet leaves through the internet gateway (traffic-path 8), the rest stays in the VPC (1).
  const path = !gatewaySends ? '-' : to.startsWith('10.') ? '1' : '8';
  const values = [
    5, '123456789012', gateway.eni, from, to, fromPort, toPort, 6, d.packets, d.bytes, w.start, w.end, action, 'OK',
    'vpc-0f1e2d3c4b5a69788', 'subnet-0a14010000000000a', gateway.instance, d.flags, from.includes(':') ? 'IPv6' : 'IPv4', from, to,
    'us-east-1', gateway.az, gatewaySends ? 'egress' : 'ingress', path,
  ];
  return values.join(' ');
}

function vpcLines(c: VpcConnection): { start: number; line: string }[] {
  const action = c.action ?? 'ACCEPT';
  return c.windows.flatMap((w) => [
    { start: w.start, line: vpcLine(c.client, c.clientPort, c.server, c.serverPort, w.request, w, action) },
    ...(w.response ? [{ start: w.start, line: vpcLine(c.server, c.serverPort, c.client, c.clientPort, w.response, w, action) }] : []),
  ]);
}

/**
 * One window of a long upload: full-size segments (1448 bytes) out, one bare ACK (52 bytes) back
 * per two; the handshake's flags in the first of `windows` windows, the close's in the last.
 */
function uploadWindow(start: number, end: number, bytes: number, n: number, windows: number): VpcConnection['windows'][number] {
  const acks = Math.ceil(bytes / 2896);
  const [sent, answered] = n === 0 ? [FLAGS.syn, FLAGS.synAck] : n === windows - 1 ? [FLAGS.fin, FLAGS.fin] : [FLAGS.none, FLAGS.none];
  return { start, end, request: { packets: Math.ceil(bytes / 1448), bytes, flags: sent }, response: { packets: acks, bytes: acks * 52, flags: answered } };
}

/** A connection that fits in one window, answered, SYN to FIN. */
function shortConnection(client: string, clientPort: number, server: string, serverPort: number, start: number, request: [number, number], response: [number, number]): VpcConnection {
  return {
    client, clientPort, server, serverPort,
    windows: [{
      start, end: start + 58,
      request: { packets: request[0], bytes: request[1], flags: FLAGS.synFin },
      response: { packets: response[0], bytes: response[1], flags: FLAGS.synAckFin },
    }],
  };
}

/** Documented traffic on the gateway interfaces, with top talkers of very different sizes. */
function documentedVpc(dice: Dice, ports: PortAllocator): VpcConnection[] {
  const connections: VpcConnection[] = [];
  // apic-firewall/api-request: consumers, over IPv4 and IPv6.
  for (let i = 0; i < 8; i++) {
    const consumer = CONSUMERS[(i + 2) % CONSUMERS.length]!;
    const gateway = consumer.includes(':') ? HOST.gw1v6 : i % 2 === 0 ? HOST.gw2 : HOST.gw1;
    const requests = dice.int(3, 400);
    connections.push(shortConnection(consumer, ports.next(consumer), gateway, 443, T0 + i * 7 * MINUTE + dice.int(0, 300),
      [requests * 4, requests * dice.int(700, 2200)], [requests * 5, requests * dice.int(1500, 9000)]));
  }
  // apic-firewall/management-gateway-configuration: configuration pushes to port 3000.
  for (const [n, gateway] of [HOST.gw1, HOST.gw2].entries()) {
    connections.push(shortConnection(HOST.management, ports.next(HOST.management), gateway, 3000, T0 + (12 + n) * MINUTE,
      [14, dice.int(8000, 40000)], [11, dice.int(900, 2000)]));
  }
  // apic-firewall/gateway-to-analytics: the biggest documented talker, a long-lived ingestion connection per gateway.
  for (const gateway of [HOST.gw1, HOST.gw2]) {
    const clientPort = ports.next(gateway);
    const windows = [0, 10, 20, 30, 40, 50].map((minute, n, all) =>
      uploadWindow(T0 + minute * MINUTE + 1, T0 + (minute + 10) * MINUTE - 1, dice.int(25_000_000, 35_000_000), n, all.length));
    connections.push({ client: gateway, clientPort, server: HOST.analytics, serverPort: 443, windows });
  }
  return connections;
}

/**
 * PLANTED (a) exfiltration, in the VPC log: gw-2's interface records about 47 MB in three
 * 10-minute windows to 203.0.113.66:443, only ACKs coming back. Unexpected, and the biggest
 * connection to an internet host.
 */
function exfiltrationVpc(ports: PortAllocator): VpcConnection {
  const sizes = [15_728_640, 16_106_127, 14_889_223];
  return {
    client: HOST.gw2, clientPort: ports.next(HOST.gw2), server: HOST.exfilDrop, serverPort: 443,
    windows: sizes.map((bytes, n) => uploadWindow(T0 + (20 + n * 10) * MINUTE + 2, T0 + (30 + n * 10) * MINUTE - 2, bytes, n, sizes.length)),
  };
}

/**
 * PLANTED (e) a documented flow denied: the operator opens the DataPower Web GUI (port 9090,
 * apic-firewall/datapower-administration, Table 1 row 2) on gw-1 twice; the gateway security
 * group has no rule for 9090, so the interface logs REJECT for the SYNs and nothing goes back.
 */
function rejectedWebGui(ports: PortAllocator): VpcConnection[] {
  return [17, 19].map((minute) => ({
    client: HOST.operator, clientPort: ports.next(HOST.operator), server: HOST.gw1, serverPort: 9090, action: 'REJECT' as const,
    windows: [{ start: T0 + minute * MINUTE + 5, end: T0 + minute * MINUTE + 50, request: { packets: 3, bytes: 180, flags: FLAGS.syn } }],
  }));
}

/**
 * PLANTED (f) administration ports reached from the internet: the security group allows
 * 0.0.0.0/0 on tcp 0-1024 and 3389 (too wide — the scan gets through for the same reason).
 * 203.0.113.200 makes SSH login attempts on gw-1:22 (answered: it reached sshd); 203.0.113.201
 * probes RDP on gw-2:3389 and gets a reset (nothing listens, but the port is reachable).
 */
function adminPortsVpc(dice: Dice, ports: PortAllocator): VpcConnection[] {
  const ssh = [0, 1, 2, 3].map((n) => shortConnection(HOST.sshBruteForcer, ports.next(HOST.sshBruteForcer), HOST.gw1, 22, T0 + 46 * MINUTE + n * 61,
    [dice.int(18, 26), dice.int(3000, 3800)], [dice.int(15, 22), dice.int(3800, 4600)]));
  const rdp = [0, 1].map((n): VpcConnection => ({
    client: HOST.rdpProber, clientPort: ports.next(HOST.rdpProber), server: HOST.gw2, serverPort: 3389,
    windows: [{
      start: T0 + 52 * MINUTE + n * 90, end: T0 + 52 * MINUTE + n * 90 + 30,
      request: { packets: 2, bytes: 104, flags: FLAGS.syn },
      response: { packets: 2, bytes: 80, flags: FLAGS.rst },
    }],
  }));
  return [...ssh, ...rdp];
}

function vpcFlowLog(): string {
  const dice = new Dice(70711);
  const ports = new PortAllocator(dice);
  const connections = [...documentedVpc(dice, ports), exfiltrationVpc(ports), ...rejectedWebGui(ports), ...adminPortsVpc(dice, ports)];
  // Lines in time order, as a delivered file holds them; ties keep the order generated.
  const lines = connections.flatMap(vpcLines).map((l, order) => ({ ...l, order })).sort((a, b) => a.start - b.start || a.order - b.order);
  return `${VPC_FIELDS.join(' ')}\n${lines.map((l) => l.line).join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// The Calico Enterprise flow log of the EKS cluster (management, portal, analytics)

/** One side of a Calico flow: a pod (wep) or an address outside the cluster (net). */
interface CalicoEndpoint {
  ip: string;
  type: 'wep' | 'net';
  namespace: string;
  name: string;
  nameAggr: string;
  labels: string[] | null;
  /** The node a pod runs on (its node reports the flow). */
  node?: string;
}

/** A pod of the apic namespace: the component label is what the inventory selects on. */
function apicPod(ip: string, name: string, replicaSet: string, component: string, app: string, node: string): CalicoEndpoint {
  const labels = [`app.kubernetes.io/component=${component}`, `app.kubernetes.io/instance=${component}`, `app.kubernetes.io/name=${app}`];
  if (replicaSet !== '') labels.push(`pod-template-hash=${replicaSet}`);
  return { ip, type: 'wep', namespace: 'apic', name, nameAggr: replicaSet === '' ? name : `${name.slice(0, name.lastIndexOf('-'))}-*`, labels, node };
}

/** Pods on the 100.64.0.0/16 pod network: outside every inventory CIDR, matched by identity only. */
const POD = {
  management: apicPod('100.64.2.17', 'management-apim-6b4f9c7d8-x2kqp', '6b4f9c7d8', 'management', 'apim', 'ip-10-20-2-101.ec2.internal'),
  portal: apicPod('100.64.3.14', 'portal-www-0', '', 'portal', 'www', 'ip-10-20-3-102.ec2.internal'),
  analytics: apicPod('100.64.4.23', 'analytics-ingestion-7d9c8b6f5-q4zrl', '7d9c8b6f5', 'analytics', 'ingestion', 'ip-10-20-4-103.ec2.internal'),
  coredns: {
    ip: '100.64.0.10', type: 'wep', namespace: 'kube-system', name: 'coredns-5d78c9869d-h7wqz', nameAggr: 'coredns-5d78c9869d-*',
    labels: ['eks.amazonaws.com/component=coredns', 'k8s-app=kube-dns', 'pod-template-hash=5d78c9869d'], node: 'ip-10-20-2-101.ec2.internal',
  },
} satisfies Record<string, CalicoEndpoint>;

/** An address outside the cluster as Calico names it: no name, aggregated as private or public. */
function network(ip: string): CalicoEndpoint {
  return { ip, type: 'net', namespace: '-', name: '-', nameAggr: ip.startsWith('10.') || ip.startsWith('169.254.') ? 'pvt' : 'pub', labels: null };
}

interface CalicoFlow {
  source: CalicoEndpoint;
  dest: CalicoEndpoint;
  proto: 'tcp' | 'udp';
  port: number;
  policy: string;
  /** Service the destination was reached through, when it was. */
  service?: { namespace: string; name: string; port: string };
}

/** Calico flushes every 5 minutes: windows start on the 5-minute marks. */
const CALICO_WINDOW = 5 * MINUTE;

/**
 * The records of one flow in one window: one per node that reported it (a pod's node reports
 * as src or dst; an address outside the cluster reports nothing). Bytes as each reporter saw them.
 */
function calicoRecords(flow: CalicoFlow, window: number, sourcePort: number, sent: Counts, received: Counts): object[] {
  const start = T0 + window * CALICO_WINDOW;
  const reporters = [flow.source.node !== undefined ? 'src' : null, flow.dest.node !== undefined ? 'dst' : null].filter((r) => r !== null);
  const side = (prefix: 'source' | 'dest', e: CalicoEndpoint) => ({
    [`${prefix}_ip`]: e.ip,
    [`${prefix}_name`]: e.name,
    [`${prefix}_name_aggr`]: e.nameAggr,
    [`${prefix}_namespace`]: e.namespace,
    [`${prefix}_port`]: prefix === 'source' ? sourcePort : flow.port,
    [`${prefix}_type`]: e.type,
    [`${prefix}_labels`]: e.labels === null ? null : { labels: e.labels },
  });
  const policy = `0|apic|${flow.policy}|allow|0`;
  return reporters.map((reporter) => ({
    start_time: start,
    end_time: start + CALICO_WINDOW,
    ...side('source', flow.source),
    ...side('dest', flow.dest),
    ...(flow.service ? { dest_service_namespace: flow.service.namespace, dest_service_name: flow.service.name, dest_service_port: flow.service.port } : {}),
    proto: flow.proto,
    action: 'allow',
    reporter,
    policies: { all_policies: [policy], enforced_policies: [policy], pending_policies: [policy] },
    bytes_in: reporter === 'src' ? received.bytes : sent.bytes,
    bytes_out: reporter === 'src' ? sent.bytes : received.bytes,
    packets_in: reporter === 'src' ? received.packets : sent.packets,
    packets_out: reporter === 'src' ? sent.packets : received.packets,
    num_flows: 1,
    num_flows_started: 1,
    num_flows_completed: 1,
    host: reporter === 'src' ? flow.source.node : flow.dest.node,
  }));
}

/** Documented flows inside and out of the cluster, by pod identity, in the 5-minute windows given. */
function calicoFlowLog(): string {
  const dice = new Dice(31337);
  const ports = new PortAllocator(dice);
  const flows: { flow: CalicoFlow; windows: number[]; sent: [number, number]; received: [number, number] }[] = [
    // apic-firewall/portal-to-management: the portal pulls configuration every window.
    { flow: { source: POD.portal, dest: POD.management, proto: 'tcp', port: 443, policy: 'apic/apic.portal-to-management', service: { namespace: 'apic', name: 'management-platform-api', port: 'https' } },
      windows: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], sent: [2000, 9000], received: [8000, 60000] },
    // apic-firewall/management-to-portal: webhooks to the portal.
    { flow: { source: POD.management, dest: POD.portal, proto: 'tcp', port: 443, policy: 'apic/apic.management-to-portal', service: { namespace: 'apic', name: 'portal-director', port: 'https' } },
      windows: [1, 4, 7, 10], sent: [3000, 20000], received: [800, 2500] },
    // apic-firewall/common-dns: management resolves through kube-dns.
    { flow: { source: POD.management, dest: POD.coredns, proto: 'udp', port: 53, policy: 'kube-system/apic.allow-dns', service: { namespace: 'kube-system', name: 'kube-dns', port: 'dns' } },
      windows: [0, 2, 4, 6, 8, 10], sent: [70, 900], received: [150, 2400] },
    // apic-firewall/common-ntp: the Amazon Time Sync Service, outside the cluster.
    { flow: { source: POD.management, dest: network('169.254.169.123'), proto: 'udp', port: 123, policy: 'apic/apic.allow-ntp' },
      windows: [3, 9], sent: [76, 76], received: [76, 76] },
    // apic-firewall/management-gateway-configuration: management's side of the pushes to the gateways' port 3000.
    { flow: { source: POD.management, dest: network(HOST.gw1), proto: 'tcp', port: 3000, policy: 'apic/apic.management-to-gateway' },
      windows: [0, 3, 6, 9], sent: [8000, 40000], received: [900, 2000] },
    // apic-firewall/gateway-to-analytics: the analytics node's view of the gateway's event posts.
    { flow: { source: network(HOST.gw1), dest: POD.analytics, proto: 'tcp', port: 443, policy: 'apic/apic.gateway-to-analytics-ingestion', service: { namespace: 'apic', name: 'analytics-ingestion', port: 'https' } },
      windows: [1, 3, 5, 7, 9, 11], sent: [200_000, 4_000_000], received: [3000, 40000] },
  ];
  const records = flows.flatMap(({ flow, windows, sent, received }) =>
    windows.map((window) => {
      const bytesOut = dice.int(sent[0], sent[1]);
      const bytesIn = dice.int(received[0], received[1]);
      const sentCounts = { bytes: bytesOut, packets: Math.ceil(bytesOut / 1200) + 3 };
      const receivedCounts = { bytes: bytesIn, packets: Math.ceil(bytesIn / 1200) + 2 };
      return { window, lines: calicoRecords(flow, window, ports.next(flow.source.ip), sentCounts, receivedCounts) };
    }),
  );
  // Each node appends as it flushes: records in window order, then the order generated.
  const ordered = records.map((r, order) => ({ ...r, order })).sort((a, b) => a.window - b.window || a.order - b.order);
  return ordered.flatMap((r) => r.lines.map((line) => JSON.stringify(line))).join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Writes the demo's inputs under `dir`; returns the paths written. */
export async function generateDemo(dir: string): Promise<string[]> {
  const files: [string, Uint8Array | string][] = [
    [CAPTURE_FILE, capturePcap()],
    [VPC_FILE, vpcFlowLog()],
    [CALICO_FILE, calicoFlowLog()],
  ];
  const written: string[] = [];
  for (const [relative, content] of files) {
    const path = join(dir, relative);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    written.push(path);
  }
  return written;
}

/** The committed data folder. */
export function defaultDemoDir(): string {
  return join(packageRoot(), 'fixtures', 'demo', 'data');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] !== undefined ? resolve(process.argv[2]) : defaultDemoDir();
  for (const path of await generateDemo(dir)) console.log(path);
}
