/**
 * The stages of the pcap bench's floors (pcap-floor.ts runs one), so the bench can show where the
 * budget goes. Each stage includes the ones before it, except `start` and `hash`, which stand alone:
 *   start   load DuckDB, open a new database file and close it (what every ingest pays first)
 *   hash    the SHA-256 of the file, read by the worker an ingest uses (FileHash)
 *   read    read the file and split it into packet records
 *   decode  + decode every layer
 *   track   + connection tracking (connections are settled, nothing is stored)
 */
export const FLOOR_STAGES = ['start', 'hash', 'read', 'decode', 'track'] as const;
export type FloorStage = (typeof FLOOR_STAGES)[number];

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
