/**
 * Conformance with tshark over the shared public corpus: for every `pcap/expected/<file>.json`,
 * the reader must read as many packets and the same interface link types as tshark did, or reject
 * the files tshark rejects, for the same reason. Runs only when FLOWAUDIT_CORPUS names the corpus.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputFormatError } from '../../../../src/errors.js';
import { openCaptureInput, readCapture } from '../../../../src/ingest/pcap/reader/read-capture.js';
import { chunkedInput, packetFingerprints, RecordingSink } from '../../../helpers/pcap-writer.js';

interface Expected {
  readable: boolean;
  error: string | null;
  packets: number | null;
  linktypes: number[];
}

const corpus = process.env['FLOWAUDIT_CORPUS'];

/** tshark's own words for why it rejected a file: the last parenthesis, without the "pcap:" prefix. */
function tsharkReason(error: string): string {
  const detail = /\(([^()]*(?:\([^()]*\))?[^()]*)\)$/.exec(error)?.[1] ?? error;
  return detail.replace(/^pcap(ng)?: /, '');
}

if (corpus === undefined) {
  describe.skip('capture reader corpus conformance (skipped: set FLOWAUDIT_CORPUS to the shared corpus folder)', () => {
    it.skip('reads every corpus capture as tshark does', () => {});
  });
} else {
  describe('capture reader corpus conformance', () => {
    const captures = join(corpus, 'pcap');
    const expectedDir = join(captures, 'expected');
    const files = existsSync(expectedDir)
      ? readdirSync(expectedDir).filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -'.json'.length)).sort()
      : [];

    it('finds the corpus FLOWAUDIT_CORPUS names', () => {
      if (!existsSync(expectedDir)) throw new Error(`FLOWAUDIT_CORPUS=${corpus}, but ${expectedDir} does not exist`);
      expect(files.length).toBeGreaterThan(0);
    });

    for (const file of files) {
      const expected = JSON.parse(readFileSync(join(expectedDir, `${file}.json`), 'utf8')) as Expected;
      const path = join(captures, file);

      if (expected.readable) {
        it(`${file}: ${expected.packets} packets, link types [${expected.linktypes.join(', ')}]`, async () => {
          const sink = new RecordingSink();
          const summary = await readCapture(openCaptureInput(path), sink);
          expect(sink.problems).toEqual([]);
          expect(summary.packets).toBe(expected.packets);
          expect(sink.packets).toHaveLength(expected.packets!);
          // Multi-section files: tshark's file dissector stops at a section of the other byte order,
          // so expected/ lists the interfaces capinfos prints, which is every IDB in file order
          // across sections: exactly what the summary holds.
          expect(summary.linktypes).toEqual(expected.linktypes);
          for (const packet of sink.packets) expect(summary.linktypes[packet.interfaceIndex]).toBe(packet.linktype);

          // The same capture gzip-compressed and in awkward chunks reads the same.
          const gzipped = new RecordingSink();
          const compressed = gzipSync(readFileSync(path));
          const chunkSize = compressed.length < 4096 ? 7 : 1021;
          const gzSummary = await readCapture(chunkedInput(compressed, chunkSize, `${file}.gz`), gzipped);
          expect(gzSummary.gzip).toBe(true);
          expect(packetFingerprints(gzipped.packets)).toEqual(packetFingerprints(sink.packets));
          expect(gzSummary.linktypes).toEqual(summary.linktypes);
        });
      } else {
        it(`${file}: rejected (${tsharkReason(expected.error ?? '')})`, async () => {
          const error = await readCapture(openCaptureInput(path), new RecordingSink()).then(
            () => null,
            (err: unknown) => err,
          );
          expect(error).toBeInstanceOf(InputFormatError);
          const formatError = error as InputFormatError;
          expect(formatError.location).toMatch(new RegExp(`${file.replace(/\./g, '\\.')}@byte \\d+$`));
          expect(formatError.message.toLowerCase()).toContain(tsharkReason(expected.error ?? '').toLowerCase());
          expect(formatError.hint.length).toBeGreaterThan(0);
        });
      }
    }
  });
}
