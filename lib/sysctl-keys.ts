// sysctl keys and values as sysctl(8) (procps-ng sysctl.c, slashdot()) takes them, keys mapped onto /proc/sys, and
// the common keys typed for completion. Names come from the kernel's ctl_table entries
// (net/ipv4/sysctl_net_ipv4.c, devinet.c, net/ipv6/addrconf.c, net/core/sysctl_net_core.c,
// net/core/neighbour.c, net/bridge/br_netfilter_hooks.c).
import { describe } from './core/validate.js';

const IPV4_CONF = [
  'forwarding',
  'rp_filter',
  'proxy_arp',
  'accept_redirects',
  'send_redirects',
  'accept_source_route',
  'log_martians',
  'arp_ignore',
  'arp_announce',
  'arp_filter',
  'route_localnet',
  'src_valid_mark',
  'disable_policy',
  'promote_secondaries',
] as const;
const IPV6_CONF = [
  'disable_ipv6',
  'forwarding',
  'accept_ra',
  'accept_redirects',
  'autoconf',
  'accept_dad',
  'use_tempaddr',
  'keep_addr_on_down',
  'addr_gen_mode',
  'mtu',
  'proxy_ndp',
] as const;
const NEIGH = ['gc_thresh1', 'gc_thresh2', 'gc_thresh3', 'gc_stale_time', 'base_reachable_time_ms'] as const;
const FIXED = [
  // The bridge netfilter switches (present while br_netfilter is loaded).
  'net.bridge.bridge-nf-call-iptables',
  'net.bridge.bridge-nf-call-ip6tables',
  'net.bridge.bridge-nf-call-arptables',
  'net.bridge.bridge-nf-filter-vlan-tagged',
  'net.bridge.bridge-nf-filter-pppoe-tagged',
  'net.bridge.bridge-nf-pass-vlan-input-dev',
  'net.ipv4.ip_forward',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.ip_nonlocal_bind',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_default_ttl',
  'net.ipv4.fib_multipath_hash_policy',
  'net.ipv4.fib_multipath_use_neigh',
  'net.ipv4.icmp_echo_ignore_all',
  'net.ipv4.icmp_echo_ignore_broadcasts',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_tw_reuse',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.tcp_mtu_probing',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_congestion_control',
  'net.ipv4.tcp_ecn',
  'net.ipv4.tcp_l3mdev_accept',
  'net.ipv4.udp_l3mdev_accept',
  'net.ipv6.ip_nonlocal_bind',
  'net.ipv6.fib_multipath_hash_policy',
  'net.core.somaxconn',
  'net.core.rmem_max',
  'net.core.wmem_max',
  'net.core.rmem_default',
  'net.core.wmem_default',
  'net.core.optmem_max',
  'net.core.netdev_max_backlog',
  'net.core.default_qdisc',
  'net.netfilter.nf_conntrack_max',
  'net.unix.max_dgram_qlen',
] as const;

/** IPv4 per-interface keys: `net.ipv4.conf.<all|default|dev>.<name>`. */
export type Ipv4ConfName = (typeof IPV4_CONF)[number];
/** IPv6 per-interface keys: `net.ipv6.conf.<all|default|dev>.<name>`. */
export type Ipv6ConfName = (typeof IPV6_CONF)[number];
/** Neighbour table keys: `net.<ipv4|ipv6>.neigh.<default|dev>.<name>` (gc_thresh1-3 are in default only). */
export type NeighName = (typeof NEIGH)[number];

/** Common keys with a fixed name (per-interface ones are spelled out for `all` and `default`). */
export type KnownSysctlKey =
  | `net.ipv4.conf.${'all' | 'default'}.${Ipv4ConfName}`
  | `net.ipv6.conf.${'all' | 'default'}.${Ipv6ConfName}`
  | `net.${'ipv4' | 'ipv6'}.neigh.default.${NeighName}`
  | (typeof FIXED)[number];

/** Every KnownSysctlKey, spelled out (the compiler checks each against the union). */
export function knownSysctlKeys(): KnownSysctlKey[] {
  const out: KnownSysctlKey[] = [];
  for (const dev of ['all', 'default'] as const) {
    for (const n of IPV4_CONF) out.push(`net.ipv4.conf.${dev}.${n}`);
    for (const n of IPV6_CONF) out.push(`net.ipv6.conf.${dev}.${n}`);
  }
  for (const fam of ['ipv4', 'ipv6'] as const) for (const n of NEIGH) out.push(`net.${fam}.neigh.default.${n}`);
  out.push(...FIXED);
  return out;
}

/**
 * A sysctl key: a common one (offered by completion) or any other. Dotted (`net.ipv4.ip_forward`:
 * dots separate components, a '/' inside a component stands for a dot, as `sysctl -a` prints
 * `net.ipv4.conf.eth0/10.forwarding`) or slashed (`net/ipv4/conf/eth0.10/forwarding`).
 */
export type SysctlKey = KnownSysctlKey | (string & {});

/** The directory every key lives under. */
export const PROC_SYS = '/proc/sys';
/** NAME_MAX: the longest file name a component may be. */
const COMPONENT_MAX = 255;
/** PATH_MAX less "/proc/sys/" and the NUL: the longest key whose path open(2) would take. */
const KEY_MAX = 4096 - PROC_SYS.length - 2;

/** A key checked and mapped onto /proc/sys. */
export interface ParsedKey {
  /** The key as the caller gave it (for messages and for returned records). */
  key: string;
  /** Path components below /proc/sys, e.g. ['net', 'ipv4', 'conf', 'eth0.10', 'forwarding']. */
  components: readonly string[];
  /** Absolute path, e.g. /proc/sys/net/ipv4/conf/eth0.10/forwarding. */
  path: string;
  /** sysctl(8)'s printed form, e.g. net.ipv4.conf.eth0/10.forwarding. */
  dotted: string;
}

function refuse(field: string, v: unknown, why: string): TypeError {
  return new TypeError(
    `Expected "${field}" to be a sysctl key such as "net.ipv4.ip_forward" or "net/ipv4/conf/eth0.10/forwarding", got ${describe(v)}: ${why}`,
  );
}

/** sysctl(8)'s slashdot(): the first separator decides the form; the dotted form swaps '.' and '/'. */
function toSlashForm(key: string): string {
  const first = key.search(/[./]/);
  if (first < 0 || key[first] === '/') return key;
  return key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/**
 * Checks a key and maps it onto /proc/sys. Throws a TypeError naming `field` for anything that is
 * not a plain relative name below /proc/sys: not a string, empty, absolute, too long, holding NUL,
 * control characters or whitespace, or empty, '.' or '..' components. Nothing is opened here.
 */
export function parseKey(key: unknown, field = 'key'): ParsedKey {
  if (typeof key !== 'string') throw refuse(field, key, 'not a string');
  if (key.length === 0) throw refuse(field, key, 'empty');
  if (key.includes('\0')) throw refuse(field, key, 'holds a NUL byte');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f\s]/.test(key)) throw refuse(field, key, 'holds whitespace or a control character');
  if (Buffer.byteLength(key) > KEY_MAX) throw refuse(field, key, `longer than ${KEY_MAX} bytes`);
  if (key.startsWith('/')) throw refuse(field, key, 'absolute (keys are relative to /proc/sys)');
  if (key.startsWith('.')) throw refuse(field, key, 'starts with a separator');
  const components = toSlashForm(key).split('/');
  for (const c of components) {
    if (c.length === 0) throw refuse(field, key, 'empty component (a repeated, leading or trailing separator)');
    if (c === '.' || c === '..') throw refuse(field, key, `"${c}" component`);
    if (Buffer.byteLength(c) > COMPONENT_MAX)
      throw refuse(field, key, `a component longer than ${COMPONENT_MAX} bytes`);
  }
  const path = `${PROC_SYS}/${components.join('/')}`;
  return { key, components, path, dotted: dottedKey(components) };
}

/** The dotted key of a path below /proc/sys given as components (what list() returns). */
export function dottedKey(components: readonly string[]): string {
  return components.map((c) => c.replaceAll('.', '/')).join('.');
}

/** A boolean, integer or string as the kernel's proc handlers parse it. */
export function encodeValue(v: unknown, field = 'value'): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') {
    if (!Number.isInteger(v))
      throw new TypeError(`Expected "${field}" to be a string, an integer or a boolean, got ${describe(v)}`);
    if (!Number.isSafeInteger(v))
      throw new RangeError(`Expected "${field}" to be a safe integer (pass larger values as a string), got ${v}`);
    return String(v);
  }
  if (typeof v === 'string') {
    if (v.includes('\0'))
      throw new TypeError(`Expected "${field}" to be a string without NUL bytes, got ${describe(v)}`);
    return v;
  }
  throw new TypeError(`Expected "${field}" to be a string, an integer or a boolean, got ${describe(v)}`);
}

/** Whitespace-insensitive equality: "32768\t60999" (as read) equals "32768 60999" (as written). */
export function sameValue(a: string, b: string): boolean {
  const norm = (s: string): string => s.trim().split(/\s+/).join(' ');
  return norm(a) === norm(b);
}
