// LinkSpec / LinkChange → RTM_NEWLINK bodies (struct ifinfomsg, the common IFLA_* attributes,
// IFLA_LINKINFO with IFLA_INFO_KIND and the kind's IFLA_INFO_DATA, and a port's
// IFLA_INFO_SLAVE_KIND and IFLA_INFO_SLAVE_DATA), as `ip link add` / `ip link set` build them.
// Pure: names are resolved to indexes and namespaces to descriptors beforehand
// (resolve.ts); checkSpec / checkChange run every codec on placeholders first, so bad input
// throws a TypeError naming the field before anything is sent.
import { NlWriter } from '../core/attr.js';
import { AF_UNSPEC } from '../core/constants.js';
import { describe } from '../core/schema.js';
import { checkBool, checkIfName, checkObject } from '../core/validate.js';
import {
  commonSpec,
  PEER_FIELDS,
  IFF_UP,
  ifinfomsg,
  IFLA_INFO_DATA,
  IFLA_INFO_KIND,
  IFLA_INFO_SLAVE_DATA,
  IFLA_INFO_SLAVE_KIND,
  IFLA_LINKINFO,
  type CommonWire,
} from './ifla.js';
import type { KindDef, PortDef } from './kinds/define.js';
import { PORTS, TYPES } from './kinds/index.js';

/** A spec or change as plain fields. */
export type Fields = Record<string, unknown>;

/** Common fields written as IFLA_* attributes (`linkNetnsId` on add only). */
const COMMON_WIRE = [
  'name',
  'mtu',
  'address',
  'txqueuelen',
  'alias',
  'master',
  'link',
  'netns',
  'linkNetnsId',
] as const;

/** Common fields link.set does not take (IFLA_LINK and IFLA_LINK_NETNSID count only on creation). */
const ADD_ONLY = new Set(['link', 'linkNetnsId']);

/**
 * The name of a link to create: an interface name without '%'. The kernel would take 'br%d' as a
 * template and pick 'br0' itself, a name this call could not read the new link back by.
 */
export function checkNewName(v: unknown, field: string): string {
  const name = checkIfName(v, field);
  if (name.includes('%')) {
    throw new TypeError(
      `Expected "${field}" to be a name without '%', got ${describe(name)}: kernel name templates (such as "eth%d") ` +
        'are not supported, since the name the kernel picks could not be returned',
    );
  }
  return name;
}

/** Fields of a read Link that add ignores, so `add({ ...(await get(x)), name })` works. */
const READ_ONLY = new Set([
  'index',
  'flags',
  'operstate',
  'broadcast',
  'stats',
  'linkType',
  'qdisc',
  'devGroup',
  'minMtu',
  'maxMtu',
  'permAddress',
  'tapDevice',
  'unknown',
]);

/** `other` kinds: the raw IFLA_INFO_KIND and IFLA_INFO_DATA. */
const OTHER: KindDef = {
  type: 'other',
  kind: '',
  required: [],
  changeable: [],
  via: 'netlink',
  portsDown: false,
  tapDevice: false,
};

/** What a spec or change comes to: the kind, its common attributes, its kind fields. */
export interface Parts {
  def: KindDef;
  /** IFLA_INFO_KIND (for `other`: the spec's `kind`). */
  kind: string;
  up: boolean | undefined;
  common: Partial<CommonWire> & Fields;
  data: Fields;
  /** `other`: raw IFLA_INFO_DATA. */
  infoData: Buffer | undefined;
  /** Options of the link as a port of its master (IFLA_INFO_SLAVE_DATA), e.g. `bridgePort`. */
  port?: PortParts;
}

/** A port's options: the master kind's table and the fields given. */
export interface PortParts {
  def: PortDef;
  data: Fields;
}

/** The port tables by their Link field ('bridgePort' → the bridge's). */
const PORT_FIELDS: ReadonlyMap<string, PortDef> = new Map([...PORTS.values()].map((p) => [p.field, p]));

/** A link is a port of one master: a second port field (`bridgePort` beside `bondPort`) is a TypeError. */
function onePort(had: PortParts | undefined, port: PortParts): PortParts {
  if (had)
    throw new TypeError(
      `Expected only one of "${had.def.field}" and "${port.def.field}" (a link is a port of one master)`,
    );
  return port;
}

/**
 * A field link.add does not take (KindDef.notOnAdd, PortDef.notOnAdd: state that needs ports, or
 * a port): left out of a read link's (`read`), a TypeError in a spec written by hand, which would
 * otherwise lose it without a word.
 */
function notOnAdd(field: string, read: boolean, when: string): void {
  if (!read) throw new TypeError(`Field "${field}" is not taken by link.add (set it with link.set once ${when})`);
}

/**
 * A port's options as link.set takes them: only writable fields (a read-only one is a TypeError
 * naming it, `bridgePort.id`), iproute2's other names (`mcastFastLeave`), null for "none" where a
 * field names a link (`backupPort: null` is `nobackup_port`). With `add`, a port's read-only
 * fields and `unknown` are left out (as a link's are), and so is a field at a new port's own value
 * (KindCodec.createDefault: a bond port's `prio` 0, which most bond modes refuse to be sent); the
 * runtime fields of PortDef.notOnAdd (`state`, `fdbFlush`) are left out of a read link's (`read`:
 * the spec has an `index`) and refused in a spec written by hand, which would otherwise lose them
 * without a word.
 */
export function splitPort(def: PortDef, v: unknown, add: boolean, read = false): PortParts {
  const given = checkObject(v, def.field);
  const data: Fields = {};
  for (const [k0, x] of Object.entries(given)) {
    if (x === undefined) continue;
    const k = def.aliases[k0] ?? k0;
    const field = `${def.field}.${k0}`;
    const row = def.data.row(k);
    if (add && (k0 === 'unknown' || row?.codec.readOnly)) continue;
    if (add && def.notOnAdd.includes(k)) {
      notOnAdd(field, read, 'the link is a port');
      continue;
    }
    if (add && row?.codec.createDefault !== undefined && x === row.codec.createDefault) continue;
    if (!row)
      throw new TypeError(`Unknown field "${field}" (a ${def.slaveKind} port takes ${def.changeable.join(', ')})`);
    if (row.codec.readOnly) throw new TypeError(`Field "${field}" is read-only (reported by the kernel, never set)`);
    if (data[k] !== undefined && data[k] !== x)
      throw new TypeError(`Expected only one of "${def.field}.${k}" and "${field}" (the same attribute)`);
    data[k] = x === null && row.codec.linkRef ? 0 : x;
  }
  return { def, data };
}

/** The kind of a spec's `type`; a TypeError naming "type" when unknown. */
export function kindOf(type: unknown): KindDef {
  if (type === 'other') return OTHER;
  const def = typeof type === 'string' ? TYPES.get(type) : undefined;
  if (!def)
    throw new TypeError(`Expected "type" to be one of ${[...TYPES.keys(), 'other'].join(', ')}, got ${describe(type)}`);
  return def;
}

/** Splits a LinkSpec into its parts, refusing unknown and missing fields. */
export function splitSpec(specIn: unknown): Parts {
  const spec = checkObject(specIn, 'spec');
  const def = kindOf(spec['type']);
  checkNewName(spec['name'], 'name');
  const parts = emptyParts(def, spec);
  const keys = new Set(def.data?.keys ?? []);
  const takesLink = def.required.includes('link') || def === OTHER;
  const read = typeof spec['index'] === 'number'; // a read Link re-added
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined || k === 'type') continue;
    const alias = def.aliases?.[k];
    if (alias !== undefined && !Array.isArray(v)) parts.data[alias] = aliasValue(def, k, alias, v, spec[alias]);
    else if (READ_ONLY.has(k)) continue;
    else if (k === 'up') parts.up = checkBool(v, 'up');
    else if (PORT_FIELDS.has(k)) {
      const port = splitPort(PORT_FIELDS.get(k)!, v, true, read);
      // a read port with nothing to send (a VRF port's table is its master's) asks nothing of master
      if (!read || Object.keys(port.data).length > 0) parts.port = onePort(parts.port, port);
    } else if (k === 'link' && !takesLink)
      continue; // a read's IFLA_LINK (a veth's peer): not a spec field here
    else if ((COMMON_WIRE as readonly string[]).includes(k)) parts.common[k] = v;
    else if (def.notOnAdd?.includes(k)) notOnAdd(k, read, `the ${def.type} has ports`);
    else if (keys.has(k)) parts.data[k] = v;
    else if (def === OTHER && (k === 'kind' || k === 'infoData')) continue;
    else throw new TypeError(`Unknown field "${k}" for type ${def.type}`);
  }
  for (const r of def.required) {
    if (spec[r] === undefined)
      throw new TypeError(`Expected "${r}" for type ${def.type}${r === 'link' ? ' (the parent link)' : ''}`);
  }
  for (const r of def.data?.rows ?? []) {
    if (r.codec.readOnly || (r.codec.createDefault !== undefined && parts.data[r.key] === r.codec.createDefault))
      delete parts.data[r.key];
  }
  for (const [field, given, value] of def.createImplies ?? [])
    if (parts.data[given] !== undefined && parts.data[field] === undefined) parts.data[field] = value;
  if (parts.data['peer'] !== undefined) checkPeer(parts.data['peer']);
  if (parts.common['linkNetnsId'] !== undefined) checkLinkNetns(parts);
  if (parts.port && parts.common['master'] === undefined) {
    const field = parts.port.def.field;
    throw new TypeError(`Expected "master" with "${field}" (the ${parts.port.def.slaveKind} the link is a port of)`);
  }
  return parts;
}

/**
 * A kind field given under another name (API.md's ipvlan `flags` for `ipvlanFlags`): checked by
 * the row's own codec, so its error names the field as the caller spelled it.
 */
function aliasValue(def: KindDef, k: string, alias: string, v: unknown, other: unknown): unknown {
  if (other !== undefined && other !== v) throw new TypeError(`Expected only one of "${k}" and "${alias}"`);
  const row = def.data?.row(alias);
  if (row) row.codec.put(new NlWriter(64), row.type, v, k);
  return v;
}

/** veth's peer: `{ name, address?, mtu?, txqueuelen?, netns? }`, nothing else (see PEER_FIELDS). */
function checkPeer(v: unknown): void {
  const peer = checkObject(v, 'peer');
  for (const k of Object.keys(peer)) {
    if (!PEER_FIELDS.includes(k))
      throw new TypeError(`Unknown field "peer.${k}" (a veth peer takes ${PEER_FIELDS.join(', ')})`);
  }
  checkNewName(peer['name'], 'peer.name');
}

/**
 * IFLA_LINK_NETNSID: the parent (`link`, a vxlan's `dev`) counts in the namespace with that id, as
 * the namespace the link is created in knows it, so it can only be given by index.
 */
function checkLinkNetns(p: Parts): void {
  for (const [k, v] of [
    ['link', p.common['link']],
    ['dev', p.data['dev']],
  ] as const) {
    if (typeof v === 'string')
      throw new TypeError(
        `Expected "${k}" to be an index with "linkNetnsId" (it names a link of the other namespace), got ${describe(v)}`,
      );
  }
}

function emptyParts(def: KindDef, spec: Fields): Parts {
  let kind = def.kind;
  let infoData: Buffer | undefined;
  if (def === OTHER) {
    if (typeof spec['kind'] !== 'string' || !spec['kind'] || spec['kind'].includes('\0')) {
      throw new TypeError(`Expected "kind" to be the IFLA_INFO_KIND string, got ${describe(spec['kind'])}`);
    }
    kind = spec['kind'];
    const raw = spec['infoData'];
    if (raw !== undefined && !(raw instanceof Uint8Array))
      throw new TypeError(`Expected "infoData" to be a Buffer, got ${describe(raw)}`);
    if (raw !== undefined) infoData = Buffer.from(raw);
  }
  return { def, kind, up: undefined, common: {}, data: {}, infoData };
}

/** Splits a LinkChange for a link of kind `def` (undefined: common fields only). */
export function splitChange(changeIn: unknown, def: KindDef | undefined): Parts {
  const change = checkObject(changeIn, 'change');
  const parts: Parts = {
    def: def ?? OTHER,
    kind: def?.kind ?? '',
    up: undefined,
    common: {},
    data: {},
    infoData: undefined,
  };
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined || k === 'type') continue;
    const alias = def?.aliases?.[k];
    if (alias !== undefined && def?.changeable.includes(alias))
      parts.data[alias] = aliasValue(def, k, alias, v, change[alias]);
    else if (k === 'up') parts.up = checkBool(v, 'up');
    else if (PORT_FIELDS.has(k)) parts.port = onePort(parts.port, splitPort(PORT_FIELDS.get(k)!, v, false));
    else if (k === 'master' && v === null) parts.common['master'] = 0;
    else if (!ADD_ONLY.has(k) && (COMMON_WIRE as readonly string[]).includes(k)) parts.common[k] = v;
    else if (def?.changeable.includes(k)) parts.data[k] = v;
    else if (def?.data?.row(k)) throw new TypeError(`Field "${k}" of type ${def.type} cannot be changed with link.set`);
    else throw new TypeError(`Unknown field "${k}" for link.set${def ? ` of type ${def.type}` : ''}`);
  }
  const name = parts.common['name'];
  if (name !== undefined && checkIfName(name, 'name').includes('%') && parts.common['netns'] !== undefined) {
    // without netns the link is read back by its index; moved, it could only be found by its name
    checkNewName(name, 'name');
  }
  return parts;
}

/**
 * Whether the change has kind fields, or port options (link.set must then read the link: its kind,
 * and whose port it is).
 */
export function hasKindFields(changeIn: unknown): boolean {
  const change = checkObject(changeIn, 'change');
  const common = new Set<string>([...COMMON_WIRE, 'up', 'type']);
  return Object.keys(change).some((k) => change[k] !== undefined && !common.has(k));
}

/**
 * Writes an RTM_NEWLINK body: ifinfomsg, common attributes, then IFLA_LINKINFO (with the kind when
 * `withInfo`, and with the port's options when `p.port` has any).
 */
export function writeLink(w: NlWriter, p: Parts, index: number, withInfo: boolean): void {
  ifinfomsg.write(w, { family: AF_UNSPEC, index, flags: p.up ? IFF_UP : 0, change: p.up === undefined ? 0 : IFF_UP });
  commonSpec.encode(w, p.common);
  const port = p.port && Object.keys(p.port.data).length > 0 ? p.port : undefined;
  if (!withInfo && !port) return;
  const li = w.beginNest(IFLA_LINKINFO);
  if (withInfo) {
    w.attrString(IFLA_INFO_KIND, p.kind);
    if (p.infoData) {
      w.attrBytes(IFLA_INFO_DATA, p.infoData);
    } else if (p.def.data) {
      const d = w.beginNest(IFLA_INFO_DATA);
      p.def.data.encode(w, p.data);
      w.endNest(d);
    }
  }
  if (port) {
    // iproute2 sends IFLA_INFO_KIND "bridge_slave" here; the kernel reads IFLA_INFO_SLAVE_DATA by
    // the master's kind alone, and would look for a "bridge_slave" driver (request_module) at each
    // such request. IFLA_INFO_SLAVE_KIND names the master's kind as the kernel reports it, and
    // leaves IFLA_INFO_KIND to the link's own kind.
    w.attrString(IFLA_INFO_SLAVE_KIND, port.def.slaveKind);
    const d = w.beginNest(IFLA_INFO_SLAVE_DATA);
    port.def.data.encode(w, port.data, `${port.def.field}.`);
    w.endNest(d);
  }
  w.endNest(li);
}

/** Replaces names, null and namespaces by placeholders, so every codec can check the rest now. */
function placeholders(p: Parts): Parts {
  const common: Fields = { ...p.common };
  for (const k of ['master', 'link'] as const)
    if (typeof common[k] === 'string') common[k] = checkIfName(common[k], k) && 1;
  if (common['netns'] !== undefined) common['netns'] = { fd: checkNetnsShape(common['netns'], 'netns') };
  const data: Fields = { ...p.data };
  for (const r of p.def.data?.rows ?? []) {
    if (r.codec.linkRef && typeof data[r.key] === 'string') data[r.key] = checkIfName(data[r.key], r.key) && 1;
  }
  const peer = data['peer'];
  if (peer && typeof peer === 'object' && (peer as Fields)['netns'] !== undefined) {
    data['peer'] = { ...peer, netns: { fd: checkNetnsShape((peer as Fields)['netns'], 'peer.netns') } };
  }
  if (!p.port) return { ...p, common, data };
  const port: Fields = { ...p.port.data };
  for (const r of p.port.def.data.rows) {
    if (r.codec.linkRef && typeof port[r.key] === 'string')
      port[r.key] = checkIfName(port[r.key], `${p.port.def.field}.${r.key}`) && 1;
  }
  return { ...p, common, data, port: { ...p.port, data: port } };
}

/**
 * Whether a NetnsRef is given as a descriptor, `{ fd }`: an `fd` left undefined is absent, so
 * `{ path, fd: undefined }` is a path.
 */
export function isNetnsFd(v: unknown): v is { fd: number } {
  return v !== null && typeof v === 'object' && (v as Fields)['fd'] !== undefined;
}

/** Checks a NetnsRef's shape (a name, { path } or { fd }); returns a placeholder descriptor. */
export function checkNetnsShape(v: unknown, field: string): number {
  if (typeof v === 'string' && v.length > 0 && !v.includes('/') && v !== '.' && v !== '..' && !v.includes('\0'))
    return 0;
  if (isNetnsFd(v)) {
    if (typeof v.fd === 'number' && Number.isInteger(v.fd) && v.fd >= 0) return v.fd;
  } else if (v !== null && typeof v === 'object') {
    const path = (v as Fields)['path'];
    if (typeof path === 'string' && path.length > 0) return 0;
  }
  throw new TypeError(`Expected "${field}" to be a namespace name (no '/'), { path } or { fd }, got ${describe(v)}`);
}

/** Encodes p with placeholders into a scratch buffer: every field is checked, nothing is sent. */
export function checkParts(p: Parts, withInfo: boolean): void {
  const w = new NlWriter(512);
  writeLink(w, placeholders(p), 0, withInfo);
}
