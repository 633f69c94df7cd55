// LinkSpec / LinkChange → RTM_NEWLINK bodies (struct ifinfomsg, the common IFLA_* attributes,
// IFLA_LINKINFO with IFLA_INFO_KIND and the kind's IFLA_INFO_DATA), as `ip link add` / `ip link
// set` build them. Pure: names are resolved to indexes and namespaces to descriptors beforehand
// (resolve.ts); checkSpec / checkChange run every codec on placeholders first, so bad input
// throws a TypeError naming the field before anything is sent.
import { NlWriter } from '../core/attr.js';
import { AF_UNSPEC } from '../core/constants.js';
import { describe } from '../core/schema.js';
import { checkBool, checkIfName, checkObject } from '../core/validate.js';
import {
  commonSpec,
  IFF_UP,
  ifinfomsg,
  IFLA_INFO_DATA,
  IFLA_INFO_KIND,
  IFLA_LINKINFO,
  type CommonWire,
} from './ifla.js';
import type { KindDef } from './kinds/define.js';
import { TYPES } from './kinds/index.js';

/** A spec or change as plain fields. */
export type Fields = Record<string, unknown>;

/** Common fields written as IFLA_* attributes. */
const COMMON_WIRE = ['name', 'mtu', 'address', 'txqueuelen', 'alias', 'master', 'link', 'netns'] as const;

/** Fields of a read Link that add ignores, so `add({ ...(await get(x)), name })` works. */
const READ_ONLY = new Set([
  'index',
  'flags',
  'operstate',
  'broadcast',
  'linkNetnsId',
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
  checkIfName(spec['name'], 'name');
  const parts = emptyParts(def, spec);
  const keys = new Set(def.data?.keys ?? []);
  const takesLink = def.required.includes('link') || def === OTHER;
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined || k === 'type' || READ_ONLY.has(k)) continue;
    if (k === 'up') parts.up = checkBool(v, 'up');
    else if (k === 'link' && !takesLink)
      continue; // a read's IFLA_LINK (a veth's peer): not a spec field here
    else if ((COMMON_WIRE as readonly string[]).includes(k)) parts.common[k] = v;
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
  return parts;
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
    if (k === 'up') parts.up = checkBool(v, 'up');
    else if (k === 'master' && v === null) parts.common['master'] = 0;
    else if (k !== 'link' && (COMMON_WIRE as readonly string[]).includes(k)) parts.common[k] = v;
    else if (def?.changeable.includes(k)) parts.data[k] = v;
    else if (def?.data?.row(k)) throw new TypeError(`Field "${k}" of type ${def.type} cannot be changed with link.set`);
    else throw new TypeError(`Unknown field "${k}" for link.set${def ? ` of type ${def.type}` : ''}`);
  }
  if (parts.common['name'] !== undefined) checkIfName(parts.common['name'], 'name');
  return parts;
}

/** Whether the change has kind fields (link.set must then know the link's kind). */
export function hasKindFields(changeIn: unknown): boolean {
  const change = checkObject(changeIn, 'change');
  const common = new Set<string>([...COMMON_WIRE, 'up', 'type']);
  return Object.keys(change).some((k) => change[k] !== undefined && !common.has(k));
}

/** Writes an RTM_NEWLINK body: ifinfomsg, common attributes, then IFLA_LINKINFO. */
export function writeLink(w: NlWriter, p: Parts, index: number, withInfo: boolean): void {
  ifinfomsg.write(w, { family: AF_UNSPEC, index, flags: p.up ? IFF_UP : 0, change: p.up === undefined ? 0 : IFF_UP });
  commonSpec.encode(w, p.common);
  if (!withInfo) return;
  const li = w.beginNest(IFLA_LINKINFO);
  w.attrString(IFLA_INFO_KIND, p.kind);
  if (p.infoData) {
    w.attrBytes(IFLA_INFO_DATA, p.infoData);
  } else if (p.def.data) {
    const d = w.beginNest(IFLA_INFO_DATA);
    p.def.data.encode(w, p.data);
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
  return { ...p, common, data };
}

/** Checks a NetnsRef's shape (a name, { path } or { fd }); returns a placeholder descriptor. */
export function checkNetnsShape(v: unknown, field: string): number {
  if (typeof v === 'string' && v.length > 0 && !v.includes('/') && v !== '.' && v !== '..' && !v.includes('\0'))
    return 0;
  if (v !== null && typeof v === 'object') {
    const o = v as Fields;
    if (typeof o['path'] === 'string' && o['path'].length > 0) return 0;
    if (typeof o['fd'] === 'number' && Number.isInteger(o['fd']) && o['fd'] >= 0) return o['fd'];
  }
  throw new TypeError(`Expected "${field}" to be a namespace name (no '/'), { path } or { fd }, got ${describe(v)}`);
}

/** Encodes p with placeholders into a scratch buffer: every field is checked, nothing is sent. */
export function checkParts(p: Parts, withInfo: boolean): void {
  const w = new NlWriter(512);
  writeLink(w, placeholders(p), 0, withInfo);
}
