/** Every input format flowaudit reads; detection asks them in this order. */
import type { Ingester, InputKind } from './types.js';
import { pcapIngester } from './pcap/index.js';
import { vpcIngester } from './vpc/index.js';
import { calicoIngester } from './calico/index.js';

export const INGESTERS: Readonly<Record<InputKind, Ingester>> = {
  pcap: pcapIngester,
  vpc: vpcIngester,
  calico: calicoIngester,
};

export const INGESTER_LIST: readonly Ingester[] = Object.values(INGESTERS);
