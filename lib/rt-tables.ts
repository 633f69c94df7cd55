// Names of routing tables, route protocols, scopes and route types, as iproute2 resolves them
// (lib/rt_names.c, ip/rtm_map.c): built-in names from <linux/rtnetlink.h> (RT_TABLE_*, RTPROT_*,
// RT_SCOPE_*, RTN_*), then /etc/iproute2/{rt_tables,rt_protos,rt_scopes} (or the same files under
// /usr/share/iproute2 when /etc has none) and the rt_tables.d / rt_protos.d *.conf directories.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from './core/validate.js';

// <linux/rtnetlink.h> enum rt_class_t
export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_COMPAT = 252;
export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

// <linux/rtnetlink.h> enum rt_scope_t
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_SITE = 200;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;

// <linux/rtnetlink.h> rtm_type (RTN_*)
export const RTN_UNSPEC = 0;
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_BROADCAST = 3;
export const RTN_ANYCAST = 4;
export const RTN_MULTICAST = 5;
export const RTN_BLACKHOLE = 6;
export const RTN_UNREACHABLE = 7;
export const RTN_PROHIBIT = 8;
export const RTN_THROW = 9;
export const RTN_NAT = 10;
export const RTN_XRESOLVE = 11;

// <linux/rtnetlink.h> RTPROT_*
export const RTPROT_UNSPEC = 0;
export const RTPROT_KERNEL = 2;
export const RTPROT_BOOT = 3;
export const RTPROT_STATIC = 4;

/** rtm_type names (ip/rtm_map.c; RTN_UNSPEC, which ip prints as "none", is 'unspec' here). */
export const ROUTE_TYPES = {
  unspec: RTN_UNSPEC,
  unicast: RTN_UNICAST,
  local: RTN_LOCAL,
  broadcast: RTN_BROADCAST,
  anycast: RTN_ANYCAST,
  multicast: RTN_MULTICAST,
  blackhole: RTN_BLACKHOLE,
  unreachable: RTN_UNREACHABLE,
  prohibit: RTN_PROHIBIT,
  throw: RTN_THROW,
  nat: RTN_NAT,
  xresolve: RTN_XRESOLVE,
} as const;

const BUILTIN_TABLES: readonly [number, string][] = [
  [RT_TABLE_DEFAULT, 'default'],
  [RT_TABLE_MAIN, 'main'],
  [RT_TABLE_LOCAL, 'local'],
];

const BUILTIN_PROTOS: readonly [number, string][] = [
  [0, 'unspec'],
  [1, 'redirect'],
  [2, 'kernel'],
  [3, 'boot'],
  [4, 'static'],
  [8, 'gated'],
  [9, 'ra'],
  [10, 'mrt'],
  [11, 'zebra'],
  [12, 'bird'],
  [42, 'babel'],
  [13, 'dnrouted'],
  [14, 'xorp'],
  [15, 'ntk'],
  [16, 'dhcp'],
  [18, 'keepalived'],
  [186, 'bgp'],
  [187, 'isis'],
  [188, 'ospf'],
  [189, 'rip'],
  [192, 'eigrp'],
];

const BUILTIN_SCOPES: readonly [number, string][] = [
  [RT_SCOPE_UNIVERSE, 'global'],
  [RT_SCOPE_NOWHERE, 'nowhere'],
  [RT_SCOPE_HOST, 'host'],
  [RT_SCOPE_LINK, 'link'],
  [RT_SCOPE_SITE, 'site'],
];

/** One name database: name → id, and id → the name it prints as. */
class NameDb {
  readonly byName = new Map<string, number>();
  readonly byId = new Map<number, string>();
  add(id: number, name: string): void {
    this.byName.set(name, id);
    this.byId.set(id, name);
  }
}

let dirs = { etc: '/etc/iproute2', usr: '/usr/share/iproute2' };
let dbs: { table: NameDb; protocol: NameDb; scope: NameDb } | undefined;
let generation = 0;

/** Changes whenever the name databases are to be re-read (for caches built from them). */
export function namesGeneration(): number {
  return generation;
}

/** Reads "ID NAME" lines (decimal or 0x hex ids, '#' comments) as iproute2's fread_id_name does. */
function readIdNames(path: string, max: number, into: NameDb): boolean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(0x[0-9a-fA-F]+|\d+)\s+([^\s#]+)/.exec(line);
    if (!m) continue;
    const id = Number(m[1]);
    if (id <= max) into.add(id, m[2]!);
  }
  return true;
}

/** /etc/iproute2/FILE, else /usr/share/iproute2/FILE; then FILE.d/*.conf (usr ones unless /etc has the same name). */
function loadInto(db: NameDb, file: string, max: number, withDir: boolean): void {
  if (!readIdNames(join(dirs.etc, file), max, db)) readIdNames(join(dirs.usr, file), max, db);
  if (!withDir) return;
  const confs = (dir: string): string[] => {
    try {
      return readdirSync(dir)
        .filter((f) => !f.startsWith('.') && f.length > 5 && f.endsWith('.conf'))
        .sort();
    } catch {
      return [];
    }
  };
  const etcD = join(dirs.etc, `${file}.d`);
  const usrD = join(dirs.usr, `${file}.d`);
  for (const f of confs(usrD)) if (!existsSync(join(etcD, f))) readIdNames(join(usrD, f), max, db);
  for (const f of confs(etcD)) readIdNames(join(etcD, f), max, db);
}

function names(): { table: NameDb; protocol: NameDb; scope: NameDb } {
  if (dbs) return dbs;
  const table = new NameDb();
  for (const [id, n] of BUILTIN_TABLES) table.add(id, n);
  loadInto(table, 'rt_tables', 0xffffffff, true);
  const protocol = new NameDb();
  for (const [id, n] of BUILTIN_PROTOS) protocol.add(id, n);
  loadInto(protocol, 'rt_protos', 255, true);
  const scope = new NameDb();
  for (const [id, n] of BUILTIN_SCOPES) scope.add(id, n);
  loadInto(scope, 'rt_scopes', 255, false);
  scope.byName.set('universe', RT_SCOPE_UNIVERSE); // the kernel's word for 'global'
  dbs = { table, protocol, scope };
  return dbs;
}

/**
 * @internal Where the iproute2 name files are read from (tests point this at a scratch directory);
 * the databases are re-read on next use.
 */
export function setNameDirs(etc: string, usr: string): void {
  dirs = { etc, usr };
  dbs = undefined;
  generation++;
}

/** A number given as a JS integer or as decimal / 0x-hex text (iproute2 takes strtoul(…, 0)). */
function numeric(v: unknown, max: number): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= max ? v : undefined;
  if (typeof v !== 'string' || !/^(0x[0-9a-fA-F]+|\d+)$/.test(v)) return undefined;
  const n = Number(v);
  return n <= max ? n : undefined;
}

function resolve(db: NameDb, v: unknown, field: string, max: number, what: string): number {
  if (typeof v === 'string') {
    const id = db.byName.get(v);
    if (id !== undefined) return id;
  }
  const n = numeric(v, max);
  if (n !== undefined) return n;
  if (typeof v === 'number') {
    if (!Number.isInteger(v))
      throw new TypeError(`Expected "${field}" to be an integer in 0..${max} or ${what}, got ${v}`);
    throw new RangeError(`Expected "${field}" to be an integer in 0..${max} or ${what}, got ${v}`);
  }
  const known = [...db.byName.keys()].join(', ');
  throw new TypeError(`Expected "${field}" to be ${what} (${known}) or a number in 0..${max}, got ${describe(v)}`);
}

/** A routing table given by number or name ('main', 'local', 'default', rt_tables names) → its id. */
export function tableId(v: unknown, field = 'table'): number {
  return resolve(names().table, v, field, 0xffffffff, 'a table name');
}

/** The name a table id prints as in `ip route` ('main'), or its number as text. */
export function tableName(id: number): string {
  return names().table.byId.get(id) ?? String(id);
}

/** A route protocol ('boot', 'static', 'kernel', rt_protos names) or number → its id. */
export function protocolId(v: unknown, field = 'protocol'): number {
  return resolve(names().protocol, v, field, 255, 'a protocol name');
}

/** A protocol's name, or its number as text (as `ip` prints unknown protocols). */
export function protocolName(id: number): string {
  return names().protocol.byId.get(id) ?? String(id);
}

/** A scope ('global'/'universe', 'site', 'link', 'host', 'nowhere', rt_scopes names) or number → its id. */
export function scopeId(v: unknown, field = 'scope'): number {
  return resolve(names().scope, v, field, 255, 'a scope name');
}

/** A scope's name ('global' for 0, as `ip` prints it), or its number as text. */
export function scopeName(id: number): string {
  return names().scope.byId.get(id) ?? String(id);
}

const TYPE_NAMES: string[] = [];
for (const [k, v] of Object.entries(ROUTE_TYPES)) TYPE_NAMES[v] = k;

/** A route type name ('unicast', 'blackhole', …) or number → RTN_*. */
export function routeTypeId(v: unknown, field = 'type'): number {
  if (typeof v === 'string' && Object.hasOwn(ROUTE_TYPES, v)) return ROUTE_TYPES[v as keyof typeof ROUTE_TYPES];
  const n = numeric(v, 255);
  if (n !== undefined) return n;
  throw new TypeError(`Expected "${field}" to be one of ${Object.keys(ROUTE_TYPES).join(', ')}, got ${describe(v)}`);
}

/** RTN_* → its name, or the number as text. */
export function routeTypeName(id: number): string {
  return TYPE_NAMES[id] ?? String(id);
}
