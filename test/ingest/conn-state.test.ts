import { describe, it, expect } from 'vitest';
import { Sent, tcpConnState, tcpHistoryIndex, HISTORY_LETTERS, datagramConnState } from '../../src/ingest/conn-state.js';

const { SYN, SYNACK, FIN, RST, DATA, ACK } = Sent;

describe('tcpConnState (Zeek vocabulary)', () => {
  const cases: [string, number, number, 'client' | 'server' | null, string][] = [
    ['SYN never answered', SYN, 0, null, 'S0'],
    ['established, still open', SYN | ACK | DATA, SYNACK | DATA, null, 'S1'],
    ['established and closed by both', SYN | ACK | FIN, SYNACK | FIN, null, 'SF'],
    ['rejected with RST', SYN, RST, 'server', 'REJ'],
    ['client closed, server silent', SYN | FIN, SYNACK, null, 'S2'],
    ['server closed, client silent', SYN, SYNACK | FIN, null, 'S3'],
    ['client aborted', SYN | RST, SYNACK, 'client', 'RSTO'],
    ['server aborted', SYN, SYNACK | RST, 'server', 'RSTR'],
    ['SYN then client RST', SYN | RST, 0, 'client', 'RSTOS0'],
    ['SYN-ACK then RST, no SYN seen', 0, SYNACK | RST, 'server', 'RSTRH'],
    ['SYN then FIN, half open', SYN | FIN, 0, null, 'SH'],
    ['SYN-ACK then FIN, no SYN seen', 0, SYNACK | FIN, null, 'SHR'],
    ['midstream only', DATA | ACK, DATA | ACK, null, 'OTH'],
  ];
  for (const [name, client, server, rst, want] of cases) {
    it(`${name} → ${want}`, () => expect(tcpConnState(client, server, rst)).toBe(want));
  }

  it('datagrams: S0 one way, SF both ways', () => {
    expect(datagramConnState(0)).toBe('S0');
    expect(datagramConnState(3)).toBe('SF');
  });

  it('history letters', () => {
    expect(HISTORY_LETTERS[tcpHistoryIndex(0x02, 0)]).toBe('S');
    expect(HISTORY_LETTERS[tcpHistoryIndex(0x12, 0)]).toBe('H');
    expect(HISTORY_LETTERS[tcpHistoryIndex(0x10, 0)]).toBe('A');
    expect(HISTORY_LETTERS[tcpHistoryIndex(0x18, 10)]).toBe('D');
    expect(HISTORY_LETTERS[tcpHistoryIndex(0x11, 0)]).toBe('F');
    expect(HISTORY_LETTERS[tcpHistoryIndex(0x14, 0)]).toBe('R');
    expect(HISTORY_LETTERS[tcpHistoryIndex(0x03, 0)]).toBe('Q');
    expect(tcpHistoryIndex(0x00, 0)).toBe(-1);
  });
});
