import { describe, expect, it } from 'vitest';
import {
  addressLabel, capList, displayWidth, formatBytes, formatCount, formatDuration, formatInstant, formatSpan, formatTime, hostPort, inputsSpan, moreNote,
  oneLine, protoPorts, serverLabel, terminalSafe, truncate, truncateMiddle,
} from '../../src/report/text.js';
import { sampleReport } from './sample-report.js';

describe('numbers', () => {
  it('counts with thousands separators', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1_234_567)).toBe('1,234,567');
  });

  it('bytes in SI units with one decimal', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_000)).toBe('1.0 kB');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(formatBytes(999_960)).toBe('1.0 MB');
    expect(formatBytes(2_500_000_000)).toBe('2.5 GB');
    expect(formatBytes(3e21)).toBe('3000.0 EB');
  });
});

describe('times', () => {
  it('shows UTC to the second', () => {
    expect(formatTime('2024-05-01T10:00:00.123Z')).toBe('2024-05-01 10:00:00');
    expect(formatTime('2024-05-01T12:00:00+02:00')).toBe('2024-05-01 10:00:00');
    expect(formatTime(null)).toBe('—');
    expect(formatTime('yesterday\x1b[2J')).toBe('yesterday\\x1b[2J');
  });

  it('durations in two units at most', () => {
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(7_000)).toBe('7s');
    expect(formatDuration(3_723_000)).toBe('1h 2m');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(90_061_000)).toBe('1d 1h');
  });

  it('spans the inputs from the earliest first to the latest last time', () => {
    const span = inputsSpan(sampleReport().inputs);
    expect(span).toEqual({ first: '2024-05-01T09:30:00.000Z', last: '2024-05-01T11:02:03.000Z' });
    expect(formatSpan(span!.first, span!.last)).toBe('2024-05-01 09:30:00 → 2024-05-01 11:02:03 UTC (1h 32m)');
    expect(inputsSpan([])).toBeNull();
    expect(formatSpan(null, null)).toBe('—');
  });
});

describe('labels', () => {
  it('address with endpoint, or the endpoint alone for aggregated rows', () => {
    expect(addressLabel('10.0.0.1', 'gateway')).toBe('10.0.0.1 (gateway)');
    expect(addressLabel('10.0.0.1', null)).toBe('10.0.0.1');
    expect(addressLabel(null, 'portal')).toBe('portal');
    expect(addressLabel(null, null)).toBe('—');
  });

  it('server address and port, IPv6 in brackets', () => {
    expect(hostPort('fd00::1', 443)).toBe('[fd00::1]:443');
    expect(hostPort('10.0.0.1', null)).toBe('10.0.0.1');
    expect(serverLabel('10.0.0.1', 443, 'management')).toBe('10.0.0.1:443 (management)');
    expect(serverLabel(null, 9443, 'analytics')).toBe('analytics:9443');
    expect(serverLabel(null, 22, null)).toBe('*:22');
  });

  it('protocols and ports', () => {
    expect(protoPorts(['tcp'], ['443', '30000-32767'])).toBe('tcp/443, 30000-32767');
    expect(protoPorts([], [])).toBe('any');
  });
});

describe('lists', () => {
  it('caps and counts the rest', () => {
    expect(capList([1, 2, 3], 5)).toEqual({ shown: [1, 2, 3], more: 0 });
    expect(capList([1, 2, 3], 2)).toEqual({ shown: [1, 2], more: 1 });
    expect(moreNote(1_200)).toBe('… and 1,200 more (use --format json or csv for all)');
  });
});

describe('terminal-safe text', () => {
  it('shows controls, escape sequences and bidi characters as escapes', () => {
    expect(terminalSafe('\x1b[31mred')).toBe('\\x1b[31mred');
    expect(terminalSafe('\u202eevil')).toBe('\\u202eevil');
    expect(terminalSafe('a\tb\r\nc\x00\x7f\x9b')).toBe('a\\x09b\\x0d\\x0ac\\x00\\x7f\\x9b');
    expect(terminalSafe('zero\u200bwidth\ufeff\u2028')).toBe('zero\\u200bwidth\\ufeff\\u2028');
    expect(terminalSafe('lone \ud800 surrogate')).toBe('lone \\ud800 surrogate');
    expect(terminalSafe('api.example.com C:\\caps\\x.pcap é 名前')).toBe('api.example.com C:\\caps\\x.pcap é 名前');
  });

  it('leaves nothing a terminal would interpret', () => {
    const out = terminalSafe('\x1b]0;title\x07\x1b[2J\x9b31m\u2066x\u2069');
    expect(out).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });

  it('makes one line of multi-line text', () => {
    expect(oneLine('a\r\nb\nc\td\x1b')).toBe('a b c d\\x1b');
  });

  it('measures and cuts by terminal columns', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('名前')).toBe(4);
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdefg', 6)).toBe('abcde…');
    expect(truncate('名前名前', 5)).toBe('名前…');
    expect(truncateMiddle('captures/2024/11/05/gateway.pcapng', 20)).toBe('captures/2…ay.pcapng');
    expect(displayWidth(truncateMiddle('x'.repeat(100), 21))).toBe(21);
    expect(truncateMiddle('short', 20)).toBe('short');
  });
});

describe('instants', () => {
  it('shows when a run happened as ISO 8601 to the second', () => {
    expect(formatInstant('2024-05-01T12:00:00.456Z')).toBe('2024-05-01T12:00:00Z');
    expect(formatInstant(null)).toBe('—');
    expect(formatInstant('\u202enow')).toBe('\\u202enow');
  });
});
