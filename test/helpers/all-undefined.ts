// Every optional field of the input data objects, as undefined: each literal of `AllUndefined<T>`
// must list all of T's optional fields (the compiler says which are missing), so spreading one
// into a spec (`{ ...ADDR, dev, address }`) gives a call every field there is, left undefined.
// Shared by test/codec/undefined-fields.test.ts and test/integration/undefined-options.test.ts.
import type {
  AddrDelSpec,
  AddrFlushSpec,
  AddrSpec,
  BridgeVlanFilter,
  BridgeVlanSpec,
  FdbSpec,
  LinkChangeCommon,
  LinkCommon,
  NeighSpec,
  NexthopGroupMember,
  NexthopSpec,
  RouteMetrics,
  RouteNexthop,
  RouteSpec,
  RuleSpec,
  VethPeer,
} from '../../lib/index.js';

/** The optional fields of T. */
export type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
/** Every optional field of T, as undefined: a literal of this type must list them all. */
export type AllUndefined<T> = { [K in OptionalKeys<T>]-?: undefined };
/** true when every optional field of every member of U takes undefined. */
export type TakesUndefined<U> = [
  U extends unknown ? ({ [K in OptionalKeys<U>]-?: undefined } extends Pick<U, OptionalKeys<U>> ? true : false) : never,
] extends [true]
  ? true
  : false;

export const LINK_COMMON: AllUndefined<LinkCommon> = {
  mtu: undefined,
  address: undefined,
  up: undefined,
  master: undefined,
  txqueuelen: undefined,
  alias: undefined,
  netns: undefined,
  linkNetnsId: undefined,
  bridgePort: undefined,
  bondPort: undefined,
};

export const CHANGE_COMMON: AllUndefined<LinkChangeCommon> = {
  up: undefined,
  mtu: undefined,
  address: undefined,
  name: undefined,
  master: undefined,
  netns: undefined,
  txqueuelen: undefined,
  alias: undefined,
  bridgePort: undefined,
  bondPort: undefined,
};

export const PEER: AllUndefined<VethPeer> = {
  address: undefined,
  mtu: undefined,
  txqueuelen: undefined,
  netns: undefined,
};

export const ADDR: AllUndefined<AddrSpec> = {
  peer: undefined,
  broadcast: undefined,
  label: undefined,
  scope: undefined,
  validLft: undefined,
  preferredLft: undefined,
  noprefixroute: undefined,
  nodad: undefined,
  optimistic: undefined,
  home: undefined,
  mngtmpaddr: undefined,
  autojoin: undefined,
  metric: undefined,
  proto: undefined,
  waitDad: undefined,
  dadTimeout: undefined,
};

export const ADDR_DEL: AllUndefined<AddrDelSpec> = { peer: undefined, label: undefined };

export const ADDR_FLUSH: AllUndefined<AddrFlushSpec> = { family: undefined };

export const ROUTE: AllUndefined<RouteSpec> = {
  family: undefined,
  via: undefined,
  dev: undefined,
  src: undefined,
  table: undefined,
  metric: undefined,
  protocol: undefined,
  scope: undefined,
  type: undefined,
  mtu: undefined,
  advmss: undefined,
  hoplimit: undefined,
  initcwnd: undefined,
  initrwnd: undefined,
  metrics: undefined,
  onlink: undefined,
  nexthops: undefined,
  nhid: undefined,
  tos: undefined,
  pref: undefined,
  from: undefined,
  realm: undefined,
  expires: undefined,
  unknown: undefined,
};

export const NEXTHOP: AllUndefined<RouteNexthop> = {
  via: undefined,
  dev: undefined,
  weight: undefined,
  onlink: undefined,
  index: undefined,
  flags: undefined,
  unknown: undefined,
};

export const METRICS: AllUndefined<RouteMetrics> = {
  lock: undefined,
  window: undefined,
  rtt: undefined,
  rttvar: undefined,
  ssthresh: undefined,
  cwnd: undefined,
  reordering: undefined,
  features: undefined,
  rtoMin: undefined,
  quickack: undefined,
  ccAlgo: undefined,
  fastopenNoCookie: undefined,
};

export const NEIGH: AllUndefined<NeighSpec> = {
  lladdr: undefined,
  state: undefined,
  proxy: undefined,
  router: undefined,
  externLearn: undefined,
  use: undefined,
  managed: undefined,
  protocol: undefined,
  flags: undefined,
};

export const FDB: AllUndefined<FdbSpec> = {
  dst: undefined,
  port: undefined,
  vni: undefined,
  srcVni: undefined,
  vlan: undefined,
  via: undefined,
  nhid: undefined,
  self: undefined,
  master: undefined,
  permanent: undefined,
  static: undefined,
  dynamic: undefined,
  router: undefined,
  use: undefined,
  externLearn: undefined,
  sticky: undefined,
};

export const RULE: AllUndefined<RuleSpec> = {
  family: undefined,
  priority: undefined,
  from: undefined,
  to: undefined,
  not: undefined,
  table: undefined,
  fwmark: undefined,
  fwmask: undefined,
  iif: undefined,
  oif: undefined,
  action: undefined,
  goto: undefined,
  tos: undefined,
  l3mdev: undefined,
  uidrange: undefined,
  ipproto: undefined,
  sport: undefined,
  dport: undefined,
  protocol: undefined,
  suppressPrefixlength: undefined,
  suppressIfgroup: undefined,
  realms: undefined,
};

export const NH: AllUndefined<NexthopSpec> = {
  via: undefined,
  dev: undefined,
  onlink: undefined,
  blackhole: undefined,
  group: undefined,
  groupType: undefined,
  buckets: undefined,
  idleTimer: undefined,
  unbalancedTimer: undefined,
  fdb: undefined,
  protocol: undefined,
  family: undefined,
};

export const MEMBER: AllUndefined<NexthopGroupMember> = { weight: undefined };

export const VLAN: AllUndefined<BridgeVlanSpec> = {
  vidEnd: undefined,
  pvid: undefined,
  untagged: undefined,
  self: undefined,
  master: undefined,
};

export const VLAN_FILTER: AllUndefined<BridgeVlanFilter> = { dev: undefined, vid: undefined, compress: undefined };
