// Links (≈ `ip link`): list, get, add, set, del over RTM_*LINK with ifinfomsg + IFLA_*.
import type { Handle } from '../handle.js';
import type { NlWriter } from '../core/attr.js';
import { AF_UNSPEC, RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK } from '../core/constants.js';
import type { NlMsg } from '../core/nlmsg.js';
import { decodeFlags } from '../core/schema.js';
import { checkCallOptions, checkIfName, checkInt, describe, type CallOptions } from '../core/validate.js';
import type { DeviceLink, Link, LinkFlag, OtherLink } from '../../types/link.js';
import { IFF, ifinfomsg, ifla, IFLA_EXT_MASK, IFLA_IFNAME } from './ifla.js';
import { KINDS } from './kinds/index.js';

const IFF_ENTRIES = Object.entries(IFF) as [LinkFlag, number][];

/** A link named or numbered as the caller gave it. */
export type LinkRef = string | number;

export interface LinkFilter {
  /** Only links of this type ('device' for links without a kind). */
  type?: string;
  /** Only ports of this master (name or index). */
  master?: LinkRef;
  /** Only links that are up (true) or down (false). */
  up?: boolean;
}

/** Decodes one RTM_NEWLINK message into a Link. */
export function decodeLink(m: NlMsg): Link {
  const hdr = ifinfomsg.read(m.buf, m.off, m.end - m.off, ['ifinfomsg']);
  const a = ifla.decode(m.buf, m.off + ifinfomsg.size, m.end, ['IFLA']);
  const flags = decodeFlags(hdr.flags, IFF_ENTRIES);
  const base = {
    name: a.name ?? '',
    index: hdr.index,
    flags,
    up: (hdr.flags & IFF.UP) !== 0,
    operstate: a.operstate ?? 'unknown',
    linkType: hdr.type,
  };
  const common: Record<string, unknown> = { ...base };
  if (a.mtu !== undefined) common['mtu'] = a.mtu;
  if (a.address !== undefined) common['address'] = a.address;
  if (a.broadcast !== undefined) common['broadcast'] = a.broadcast;
  if (a.txqueuelen !== undefined) common['txqueuelen'] = a.txqueuelen;
  if (a.alias !== undefined) common['alias'] = a.alias;
  if (a.master !== undefined) common['master'] = a.master;
  if (a.link !== undefined && a.link !== hdr.index) common['link'] = a.link;
  if (a.linkNetnsId !== undefined) common['linkNetnsId'] = a.linkNetnsId;
  if (a.stats !== undefined) common['stats'] = a.stats;
  if (a.qdisc !== undefined) common['qdisc'] = a.qdisc;
  if (a.group !== undefined) common['group'] = a.group;
  if (a.minMtu !== undefined) common['minMtu'] = a.minMtu;
  if (a.maxMtu !== undefined) common['maxMtu'] = a.maxMtu;
  if (a.permAddress !== undefined) common['permAddress'] = a.permAddress;
  const info = a.linkinfo;
  if (!info?.kind) return { ...common, type: 'device' } as DeviceLink;
  const def = KINDS.get(info.kind);
  if (!def) {
    const other: Record<string, unknown> = { ...common, type: 'other', kind: info.kind };
    if (info.data) other['infoData'] = info.data;
    return other as unknown as OtherLink;
  }
  const data = def.data && info.data ? def.data.decode(info.data, 0, info.data.length, ['IFLA_LINKINFO', `IFLA_INFO_DATA(${info.kind})`]) : {};
  return { ...common, ...data, type: info.kind } as unknown as Link;
}

export class LinkApi {
  constructor(private readonly h: Handle) {}

  /** `ip link show`: every link, optionally filtered. */
  async list(filter: LinkFilter = {}, opts?: CallOptions): Promise<Link[]> {
    const signal = checkCallOptions(opts);
    if (filter === null || typeof filter !== 'object') throw new TypeError('Expected the filter to be an object');
    let master: number | undefined;
    if (filter.master !== undefined) master = await this.indexOf(filter.master, 'master', opts);
    const links = await this.h.engine.dump(RTM_GETLINK, (w) => {
      ifinfomsg.write(w, { family: AF_UNSPEC });
      // No RTEXT_FILTER_VF: VF collection holds the kernel's lock for long on SR-IOV hosts.
      w.attrU32(IFLA_EXT_MASK, 0);
    }, decodeLink, { subject: 'link.list', signal });
    return links.filter((l) =>
      (filter.type === undefined || l.type === filter.type || (l.type === 'other' && l.kind === filter.type)) &&
      (master === undefined || l.master === master) &&
      (filter.up === undefined || l.up === filter.up));
  }

  /** `ip link show DEV`: rejects with NetlinkError code 'ENODEV' when absent. */
  async get(ref: LinkRef, opts?: CallOptions): Promise<Link> {
    const signal = checkCallOptions(opts);
    const body = this.lookupBody(ref, 'nameOrIndex');
    const replies = await this.h.engine.request(RTM_GETLINK, 0, body, { subject: `link.get ${ref}`, signal });
    const m = replies.find((r) => r.type === RTM_NEWLINK);
    if (!m) throw new Error(`link.get ${ref}: the kernel sent no RTM_NEWLINK`);
    return decodeLink(m);
  }

  /** The ifindex of a link given by name or index (an index is checked to be a positive integer only). */
  async indexOf(ref: LinkRef, field: string, opts?: CallOptions): Promise<number> {
    if (typeof ref === 'number') return checkInt(ref, field, 1, 0x7fffffff);
    const signal = checkCallOptions(opts);
    const body = this.lookupBody(ref, field);
    const replies = await this.h.engine.request(RTM_GETLINK, 0, body, { subject: `${field} ${ref}`, signal });
    const m = replies.find((r) => r.type === RTM_NEWLINK);
    if (!m) throw new Error(`${field} ${ref}: the kernel sent no RTM_NEWLINK`);
    return ifinfomsg.read(m.buf, m.off, m.end - m.off).index;
  }

  /** `ip link del DEV`. */
  async del(ref: LinkRef, opts?: CallOptions): Promise<void> {
    const signal = checkCallOptions(opts);
    const body = this.lookupBody(ref, 'nameOrIndex');
    await this.h.engine.request(RTM_DELLINK, 0, body, { subject: `link.del ${ref}`, signal });
  }

  /** A request body selecting one link by index or by name. */
  private lookupBody(ref: LinkRef, field: string): (w: NlWriter) => void {
    if (typeof ref === 'number') {
      const index = checkInt(ref, field, 1, 0x7fffffff);
      return (w) => {
        ifinfomsg.write(w, { family: AF_UNSPEC, index });
        w.attrU32(IFLA_EXT_MASK, 0);
      };
    }
    if (typeof ref !== 'string') throw new TypeError(`Expected "${field}" to be a link name or index, got ${describe(ref)}`);
    const name = checkIfName(ref, field);
    return (w) => {
      ifinfomsg.write(w, { family: AF_UNSPEC });
      w.attrU32(IFLA_EXT_MASK, 0);
      w.attrString(IFLA_IFNAME, name);
    };
  }
}
