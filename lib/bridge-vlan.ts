// Bridge port VLANs (≈ `bridge vlan add | del | show`): PF_BRIDGE link messages as iproute2's
// bridge/vlan.c speaks them — RTM_SETLINK / RTM_DELLINK with ifinfomsg { AF_BRIDGE, ifindex of
// DEV } and IFLA_AF_SPEC { IFLA_BRIDGE_FLAGS?, IFLA_BRIDGE_VLAN_INFO… }, and an RTM_GETLINK dump
// with IFLA_EXT_MASK RTEXT_FILTER_BRVLAN (or _COMPRESSED), answered by br_getlink()
// (net/bridge/br_netlink.c). Numbers from <linux/if_bridge.h>, <linux/if_link.h> and
// <linux/rtnetlink.h> (uapi of Linux 6.x).
import type { Handle } from './handle.js';
import { attrTable, forEachAttr, type NlWriter } from './core/attr.js';
import {
  AF_BRIDGE,
  RTEXT_FILTER_BRVLAN,
  RTEXT_FILTER_BRVLAN_COMPRESSED,
  RTM_DELLINK,
  RTM_GETLINK,
  RTM_NEWLINK,
  RTM_SETLINK,
} from './core/constants.js';
import { DecodeError, NetlinkError, resubject } from './core/errors.js';
import type { NlMsg } from './core/nlmsg.js';
import { defineAttrs, plainNest, string, struct, structAttr, u16, u32, type Codec } from './core/schema.js';
import {
  checkBool,
  checkCallOptions,
  checkInt,
  checkKnownFields,
  checkObject,
  type CallOptions,
} from './core/validate.js';
import { ifinfomsg, IFLA_EXT_MASK, IFLA_IFNAME, IFLA_MASTER } from './link/ifla.js';
import { checkDevRef } from './neigh/common.js';
import type { Link } from '../types/link.js';
import type { BridgeVlan, BridgeVlanFilter, BridgeVlanSpec } from '../types/bridge-vlan.js';

/** <linux/if_link.h>: IFLA_AF_SPEC, per-family attributes (here PF_BRIDGE's IFLA_BRIDGE_*). */
export const IFLA_AF_SPEC = 26;
/** <linux/if_bridge.h>: IFLA_BRIDGE_FLAGS (u16, BRIDGE_FLAGS_*). */
export const IFLA_BRIDGE_FLAGS = 0;
/** <linux/if_bridge.h>: IFLA_BRIDGE_VLAN_INFO (struct bridge_vlan_info, repeated). */
export const IFLA_BRIDGE_VLAN_INFO = 2;

/** <linux/if_bridge.h> BRIDGE_FLAGS_*: which table a request is for. */
export const BRIDGE_FLAGS = { master: 1, self: 2 } as const;

/** <linux/if_bridge.h> BRIDGE_VLAN_INFO_*: struct bridge_vlan_info's flags. */
export const BRIDGE_VLAN_INFO = {
  master: 1 << 0,
  pvid: 1 << 1,
  untagged: 1 << 2,
  rangeBegin: 1 << 3,
  rangeEnd: 1 << 4,
  brentry: 1 << 5,
  onlyOpts: 1 << 6,
} as const;

/** struct bridge_vlan_info { __u16 flags; __u16 vid; }. */
export type VlanInfo = {
  /** BRIDGE_VLAN_INFO_* bits. */
  flags: number;
  /** The VLAN id. */
  vid: number;
};
/** The struct bridge_vlan_info codec (4 bytes, host order). */
export const bridgeVlanInfo = struct<VlanInfo>('bridge_vlan_info', 4, { flags: [0, 'u16'], vid: [2, 'u16'] });

/** An attribute repeated once per element, in order (a multi-attr: a range is BEGIN, then END). */
function multi<T>(item: Codec<T>): Codec<T[]> {
  return {
    kind: `multi(${item.kind})`,
    put(w, type, v, field) {
      if (!Array.isArray(v)) throw new TypeError(`Expected "${field}" to be an array`);
      v.forEach((x, i) => item.put(w, type, x, `${field}[${i}]`));
    },
    get(b, off, len, path) {
      return [item.get(b, off, len, path)];
    },
  };
}

/** PF_BRIDGE's IFLA_AF_SPEC as a request carries it. */
export interface BridgeAfSpec {
  /** IFLA_BRIDGE_FLAGS: BRIDGE_FLAGS_SELF / _MASTER. */
  flags?: number;
  /** IFLA_BRIDGE_VLAN_INFO, once per entry. */
  vlanInfo?: VlanInfo[];
}
/** PF_BRIDGE's IFLA_AF_SPEC table (IFLA_BRIDGE_*), for encoding requests. */
export const bridgeAfSpec = defineAttrs<BridgeAfSpec>('IFLA_AF_SPEC(bridge)', {
  flags: [IFLA_BRIDGE_FLAGS, u16],
  vlanInfo: [IFLA_BRIDGE_VLAN_INFO, multi(structAttr(bridgeVlanInfo))],
});

/** The IFLA attributes of a bridge VLAN request. */
interface BridgeVlanLinkAttrs {
  afSpec: BridgeAfSpec;
}
const bridgeVlanLink = defineAttrs<BridgeVlanLinkAttrs>('IFLA', { afSpec: [IFLA_AF_SPEC, plainNest(bridgeAfSpec)] });

/** Every BridgeVlanSpec field, plus what a read BridgeVlan adds (`index`, and `master` as a name). */
const SPEC_FIELDS: Record<keyof BridgeVlanSpec | keyof BridgeVlan, true> = {
  dev: true,
  vid: true,
  vidEnd: true,
  pvid: true,
  untagged: true,
  self: true,
  master: true,
  index: true,
};
const SPEC_KEYS: ReadonlySet<string> = new Set(Object.keys(SPEC_FIELDS));
const FILTER_FIELDS: Record<keyof BridgeVlanFilter, true> = { dev: true, vid: true, compress: true };
const FILTER_KEYS: ReadonlySet<string> = new Set(Object.keys(FILTER_FIELDS));

/** A checked request: everything but the ifindex, which needs a lookup. */
interface VlanReq {
  dev: string | number;
  self: boolean;
  afSpec: BridgeAfSpec;
  subject: string;
}

/**
 * Checks a spec as bridge/vlan.c's vlan_modify() does. A read BridgeVlan is taken too: its
 * `index` is ignored, and `master` (the bridge's name) means the bridge's own entry (`self`) when
 * it names `dev` itself, else nothing (the kernel's default is the port's master).
 */
function vlanReq(spec: BridgeVlanSpec | BridgeVlan, op: string): VlanReq {
  const s = checkObject(spec, 'spec');
  checkKnownFields(s, SPEC_KEYS, 'bridge vlan spec');
  const dev = checkDevRef(s['dev'], 'dev');
  if (s['index'] !== undefined) checkInt(s['index'], 'index', 1, 0x7fffffff);
  const vid = checkInt(s['vid'], 'vid', 1, 4094);
  let vidEnd: number | undefined;
  if (s['vidEnd'] !== undefined) {
    vidEnd = checkInt(s['vidEnd'], 'vidEnd', 1, 4094);
    if (vidEnd <= vid) throw new RangeError(`Expected "vidEnd" to be greater than "vid" (${vid}), got ${vidEnd}`);
  }
  let flags = 0;
  let self = s['self'] !== undefined && checkBool(s['self'], 'self');
  if (self) flags |= BRIDGE_FLAGS.self;
  if (typeof s['master'] === 'string') {
    if (s['master'] === s['dev'] && s['self'] === undefined) {
      self = true;
      flags |= BRIDGE_FLAGS.self;
    }
  } else if (s['master'] !== undefined && checkBool(s['master'], 'master')) flags |= BRIDGE_FLAGS.master;
  let info = 0;
  if (s['pvid'] !== undefined && checkBool(s['pvid'], 'pvid')) info |= BRIDGE_VLAN_INFO.pvid;
  if (s['untagged'] !== undefined && checkBool(s['untagged'], 'untagged')) info |= BRIDGE_VLAN_INFO.untagged;
  if (vidEnd !== undefined && info & BRIDGE_VLAN_INFO.pvid)
    throw new TypeError('Expected "pvid" without "vidEnd" (a range cannot be the PVID)');
  const vlanInfo: VlanInfo[] =
    vidEnd === undefined
      ? [{ flags: info, vid }]
      : [
          { flags: info | BRIDGE_VLAN_INFO.rangeBegin, vid },
          { flags: info | BRIDGE_VLAN_INFO.rangeEnd, vid: vidEnd },
        ];
  const afSpec: BridgeAfSpec = flags ? { flags, vlanInfo } : { vlanInfo };
  const words = [`dev ${String(dev)}`, `vid ${vid}${vidEnd === undefined ? '' : `-${vidEnd}`}`];
  return { dev, self, afSpec, subject: `bridgeVlan.${op} ${words.join(' ')}` };
}

function vlanBody(r: VlanReq, index: number): (w: NlWriter) => void {
  return (w) => {
    ifinfomsg.write(w, { family: AF_BRIDGE, index });
    bridgeVlanLink.encode(w, { afSpec: r.afSpec });
  };
}

/** One PF_BRIDGE RTM_NEWLINK (br_getlink's answer for a port or a bridge), decoded. */
interface PortVlans {
  index: number;
  dev: string;
  /** IFLA_MASTER: the bridge (for the bridge itself, its own index). */
  master: number | undefined;
  /** Its VLANs, `master` not yet named. */
  vlans: BridgeVlan[];
}

/**
 * Decodes one PF_BRIDGE RTM_NEWLINK as `bridge vlan show` reads it: a RANGE_BEGIN / RANGE_END
 * pair is one entry with `vidEnd`; no IFLA_AF_SPEC (a port without VLANs) is none. undefined for
 * other families. Lengths are checked against the message; a struct shorter than 4 bytes, or a
 * range without its end, is a DecodeError.
 */
function decodePort(m: NlMsg): PortVlans | undefined {
  if (m.type !== RTM_NEWLINK) return undefined;
  const hdr = ifinfomsg.read(m.buf, m.off, m.end - m.off, ['ifinfomsg']);
  if (hdr.family !== AF_BRIDGE) return undefined;
  const t = attrTable(m.buf, m.off + ifinfomsg.size, m.end, ['IFLA']);
  const name = t[IFLA_IFNAME];
  const mst = t[IFLA_MASTER];
  const p: PortVlans = {
    index: hdr.index,
    dev: name ? string.get(m.buf, name[0], name[1], ['IFLA', 'ifname']) : `if${hdr.index}`,
    master: mst ? u32.get(m.buf, mst[0], mst[1], ['IFLA', 'master']) : undefined,
    vlans: [],
  };
  const af = t[IFLA_AF_SPEC];
  if (!af) return p;
  const path = ['IFLA', 'IFLA_AF_SPEC(bridge)', 'vlanInfo'];
  let begin: VlanInfo | undefined;
  const unended = (at: number, b: VlanInfo): DecodeError =>
    new DecodeError(`range begin at vid ${b.vid} has no end`, at, path);
  forEachAttr(
    m.buf,
    af[0],
    af[0] + af[1],
    (type, off, len) => {
      if (type !== IFLA_BRIDGE_VLAN_INFO) return; // tunnel info, flags, mode: not modelled here
      const v = bridgeVlanInfo.read(m.buf, off, len, path);
      if (v.flags & BRIDGE_VLAN_INFO.rangeBegin) {
        if (begin) throw unended(off, begin);
        begin = v;
        return;
      }
      if (v.flags & BRIDGE_VLAN_INFO.rangeEnd) {
        if (!begin || v.vid <= begin.vid)
          throw new DecodeError(`range end at vid ${v.vid} without a lower range begin`, off, path);
      } else if (begin) throw unended(off, begin);
      const e: BridgeVlan = {
        dev: p.dev,
        index: p.index,
        vid: begin ? begin.vid : v.vid,
        pvid: (v.flags & BRIDGE_VLAN_INFO.pvid) !== 0,
        untagged: (v.flags & BRIDGE_VLAN_INFO.untagged) !== 0,
      };
      if (begin) e.vidEnd = v.vid;
      begin = undefined;
      p.vlans.push(e);
    },
    path.slice(0, 2),
  );
  if (begin) throw unended(af[0] + af[1], begin);
  return p;
}

/** A port's entries with `master` named (the bridge's own name for the bridge's own entries). */
function named(p: PortVlans, names: ReadonlyMap<number, string> | undefined): BridgeVlan[] {
  if (p.master === undefined) return p.vlans;
  const master = p.master === p.index ? p.dev : (names?.get(p.master) ?? `if${p.master}`);
  return p.vlans.map((e) => ({ ...e, master }));
}

/**
 * The VLAN entries of one PF_BRIDGE RTM_NEWLINK, `master` named through `names` (index → name;
 * 'if<N>' where unknown). Empty for other messages and families.
 */
export function decodeBridgeVlans(m: NlMsg, names?: ReadonlyMap<number, string>): BridgeVlan[] {
  const p = decodePort(m);
  return p ? named(p, names) : [];
}

/**
 * Why an EOPNOTSUPP came back, from what the links say: a bridge that reports no
 * IFLA_BR_VLAN_DEFAULT_PVID was built without CONFIG_BRIDGE_VLAN_FILTERING (br_fill_info() puts it
 * under that option), so every VLAN add is refused; a bridge's own VLANs need `self`; a device
 * that is not a bridge port has no bridge to ask.
 */
async function whyUnsupported(
  h: Handle,
  index: number,
  self: boolean,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const opts = signal ? { signal } : undefined;
  try {
    const dev: Link = await h.link.get(index, opts);
    const br: Link | undefined =
      dev.type === 'bridge' ? dev : dev.master !== undefined ? await h.link.get(dev.master, opts) : undefined;
    if (br?.type === 'bridge' && br.vlanDefaultPvid === undefined && br.vlanProtocol === undefined)
      return 'this kernel has no bridge VLAN filtering support (CONFIG_BRIDGE_VLAN_FILTERING)';
    if (dev.type === 'bridge' && !self) return `${dev.name} is a bridge: its own VLANs take self: true`;
    if (!br && !self) return `${dev.name} is not a bridge port (it has no master)`;
  } catch {
    // the diagnosis is a courtesy: the kernel's own error stands without it
  }
  return undefined;
}

/**
 * VLANs of bridge ports (`bridge vlan`) in one handle's namespace: `h.bridgeVlan`, or the
 * module-level `bridgeVlan`. The kernel keeps them only where it was built with
 * CONFIG_BRIDGE_VLAN_FILTERING; a bridge filters by them once `vlanFiltering` is on.
 */
export class BridgeVlanApi {
  /** @internal use a handle's `bridgeVlan`. */
  constructor(private readonly h: Handle) {}

  /**
   * `bridge vlan add dev DEV vid VID[-END] [pvid] [untagged] [self] [master]` (RTM_SETLINK).
   * Adding a VLAN that exists updates its flags.
   */
  async add(spec: BridgeVlanSpec | BridgeVlan, opts?: CallOptions): Promise<void> {
    await this.modify(RTM_SETLINK, spec, 'add', opts);
  }

  /**
   * `bridge vlan del dev DEV vid VID[-END] [self] [master]` (RTM_DELLINK). The kernel does not
   * report a VLAN that was not there (nor, without VLAN filtering support, that it keeps none).
   */
  async del(spec: BridgeVlanSpec | BridgeVlan, opts?: CallOptions): Promise<void> {
    await this.modify(RTM_DELLINK, spec, 'del', opts);
  }

  /**
   * `bridge vlan show [dev DEV] [vid VID]`: the VLANs of every bridge port and bridge, one entry
   * per VLAN, or per range with `compress: true` (`bridge -compressvlans vlan show`).
   */
  async list(filter: BridgeVlanFilter = {}, opts?: CallOptions): Promise<BridgeVlan[]> {
    const signal = checkCallOptions(opts);
    const f = checkObject(filter, 'filter');
    checkKnownFields(f, FILTER_KEYS, 'bridge vlan filter');
    const devRef = f['dev'] === undefined ? undefined : checkDevRef(f['dev'], 'dev');
    const vid = f['vid'] === undefined ? undefined : checkInt(f['vid'], 'vid', 1, 4094);
    const compress = f['compress'] !== undefined && checkBool(f['compress'], 'compress');
    const index = devRef === undefined ? 0 : await this.h.link.indexOf(devRef, 'dev', opts, 'bridgeVlan.list');
    const ports = await this.h.engine.dump(
      RTM_GETLINK,
      (w) => {
        // as rtnl_wilddump_req_filter(): all zero but the family (the kernel's strict check wants so)
        ifinfomsg.write(w, { family: AF_BRIDGE });
        w.attrU32(IFLA_EXT_MASK, compress ? RTEXT_FILTER_BRVLAN_COMPRESSED : RTEXT_FILTER_BRVLAN);
      },
      decodePort,
      { subject: 'bridgeVlan.list', signal },
    );
    // every bridge answers too (with or without VLANs), so the dump itself names the masters
    const names = new Map(ports.map((p) => [p.index, p.dev]));
    return ports
      .filter((p) => index === 0 || p.index === index)
      .flatMap((p) => named(p, names))
      .filter((e) => vid === undefined || (e.vid <= vid && vid <= (e.vidEnd ?? e.vid)));
  }

  private async modify(type: number, spec: BridgeVlanSpec | BridgeVlan, op: string, opts?: CallOptions): Promise<void> {
    const signal = checkCallOptions(opts);
    const r = vlanReq(spec, op);
    const index = await this.h.link.indexOf(r.dev, 'dev', opts, r.subject);
    try {
      await this.h.engine.request(type, 0, vlanBody(r, index), { subject: r.subject, signal });
    } catch (e) {
      if (!(e instanceof NetlinkError) || e.code !== 'EOPNOTSUPP') throw e;
      const hint = await whyUnsupported(this.h, index, r.self, signal);
      throw hint ? resubject(e, r.subject, e.field, hint) : e;
    }
  }
}

/** @internal for codec tests: the request body a spec encodes to, given the resolved ifindex. */
export function encodeBridgeVlanRequest(w: NlWriter, spec: BridgeVlanSpec | BridgeVlan, index: number): void {
  vlanBody(vlanReq(spec, 'add'), index)(w);
}
