// The registry of link kinds (iproute2's get_link_kind, as Maps): the public `type` → its KindDef,
// and the IFLA_INFO_KIND string → the KindDef that decodes it. Each kind is one table in its own file;
// so is each master kind's port table (IFLA_INFO_SLAVE_DATA).
import type { KindDef, PortDef } from './define.js';
import { bond } from './bond.js';
import { bondPort } from './bond-port.js';
import { bridge } from './bridge.js';
import { bridgePort } from './bridge-port.js';
import { dummy } from './dummy.js';
import { geneve } from './geneve.js';
import { ifb } from './ifb.js';
import { ipvlan } from './ipvlan.js';
import { ipvtap } from './ipvtap.js';
import { macvlan } from './macvlan.js';
import { macvtap } from './macvtap.js';
import { team } from './team.js';
import { tap, tun } from './tun.js';
import { veth } from './veth.js';
import { vlan } from './vlan.js';
import { vrf } from './vrf.js';
import { vrfPort } from './vrf-port.js';
import { vxlan } from './vxlan.js';
import { wireguard } from './wireguard.js';

export type { KindDef, PortDef } from './define.js';

const ALL: readonly KindDef[] = [
  bridge,
  bond,
  team,
  vlan,
  vxlan,
  macvlan,
  macvtap,
  ipvlan,
  ipvtap,
  veth,
  dummy,
  ifb,
  vrf,
  geneve,
  wireguard,
  tun,
  tap,
];

/** Public `type` → kind. */
export const TYPES: ReadonlyMap<string, KindDef> = new Map(ALL.map((k) => [k.type, k]));

/** IFLA_INFO_KIND → the kind that decodes it ('tun' decodes tun and tap: IFLA_TUN_TYPE says which). */
export const KINDS: ReadonlyMap<string, KindDef> = new Map(ALL.filter((k) => k !== tap).map((k) => [k.kind, k]));

/**
 * IFLA_INFO_SLAVE_KIND (the master's kind) → the table of a port's IFLA_INFO_SLAVE_DATA (the
 * kernel's masters that report one: bridge, bond, vrf); a team's ports report none.
 */
export const PORTS: ReadonlyMap<string, PortDef> = new Map(
  [bridgePort, bondPort, vrfPort].map((p): [string, PortDef] => [p.slaveKind, p]),
);
