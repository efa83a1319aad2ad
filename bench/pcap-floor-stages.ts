/**
 * The stages of the pcap bench's floors (pcap-floor.ts runs one), so the bench can show where the
 * budget goes. Each stage includes the ones before it, except `start` and `hash`, which stand alone.
 */
export const FLOOR_STAGES = ['start', 'hash', 'read', 'decode', 'track'] as const;
export type FloorStage = (typeof FLOOR_STAGES)[number];

/** What each stage does, as the bench prints it. */
export const FLOOR_LABELS: Record<FloorStage, string> = {
  start: 'start: node + DuckDB loaded, empty database opened and closed',
  hash: 'hash: SHA-256 of the file (the worker an ingest runs beside it)',
  read: 'read: file read and split into packet records',
  decode: 'decode: + every layer decoded',
  track: 'track: + connection tracking, nothing stored',
};

/** The line pcap-floor.ts prints; read by runNodeScript in peak-rss.ts. */
export interface PcapFloorOutput {
  stage: FloorStage;
  /** In this process, from before the stage's work to after it (start-up excluded). */
  seconds: number;
  packets: number;
  /** User + system CPU of the whole process, every thread. */
  cpuSeconds: number;
  maxRssKiB: number;
}
