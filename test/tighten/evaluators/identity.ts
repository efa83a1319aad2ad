/**
 * Who is a pod and who is a host, for the evaluators: the identity a connection side carried,
 * else the one its inventory endpoint's selector implies (captures carry none); for Calico, every
 * other side is a host endpoint labelled with its endpoint name, as the generated header tells
 * the user to label them; for the nftables host chains, every address of a governed endpoint.
 */
import { intervalsContain, sideIdentity } from '../../../src/tighten/model.js';
import type { ObservedSide, RuleSet } from '../../../src/tighten/model.js';
import { ENDPOINT_LABEL } from '../../../src/tighten/targets/calico.js';
import type { EndpointOf } from './calico.js';
import { address } from './common.js';
import type { PodOf } from './networkpolicy.js';

export function podOf(ruleSet: RuleSet): PodOf {
  return (side: ObservedSide) => sideIdentity(side, ruleSet.endpoints);
}

export function calicoEndpointOf(ruleSet: RuleSet): EndpointOf {
  return (side: ObservedSide) => {
    const pod = sideIdentity(side, ruleSet.endpoints);
    if (pod) return { kind: 'pod', namespace: pod.namespace, labels: pod.labels };
    return side.endpoint === null ? null : { kind: 'host', labels: { [ENDPOINT_LABEL]: side.endpoint } };
  };
}

/** For the nftables host chains: whether an address is one of a governed endpoint's hosts, which load the ruleset. */
export function governedHostOf(ruleSet: RuleSet): (ip: string) => boolean {
  return (ip: string) => {
    const a = address(ip);
    return ruleSet.endpoints.some((e) => e.governed && intervalsContain(e.intervals, a.family, a.num));
  };
}
