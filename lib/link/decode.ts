// RTM_NEWLINK → Link: ifinfomsg, the common IFLA_* fields, the kind's IFLA_INFO_DATA (through its
// table in kinds/) and a port's IFLA_INFO_SLAVE_DATA (through its master kind's port table).
import type { NlMsg } from '../core/nlmsg.js';
import { decodeFlags } from '../core/schema.js';
import type { DeviceLink, Link, LinkFlag, OtherLink } from '../../types/link.js';
import { IFF, ifinfomsg, iflaOf } from './ifla.js';
import { KINDS, PORTS } from './kinds/index.js';

const IFF_ENTRIES = Object.entries(IFF) as [LinkFlag, number][];

const COMMON_READ = [
  'mtu',
  'address',
  'broadcast',
  'txqueuelen',
  'alias',
  'master',
  'linkNetnsId',
  'stats',
  'qdisc',
  'devGroup',
  'minMtu',
  'maxMtu',
  'permAddress',
] as const;

/** Decodes one RTM_NEWLINK message into a Link. */
export function decodeLink(m: NlMsg): Link {
  const hdr = ifinfomsg.read(m.buf, m.off, m.end - m.off, ['ifinfomsg']);
  // the link's hardware type says how its addresses read (an IPv4 tunnel's as IPv4, as `ip link`)
  const a = iflaOf(hdr.type).decode(m.buf, m.off + ifinfomsg.size, m.end, ['IFLA']);
  const common: Record<string, unknown> = {
    name: a.name ?? '',
    index: hdr.index,
    flags: decodeFlags(hdr.flags, IFF_ENTRIES),
    up: (hdr.flags & IFF.UP) !== 0,
    operstate: a.operstate ?? 'unknown',
    linkType: hdr.type,
  };
  for (const k of COMMON_READ) if (a[k] !== undefined) common[k] = a[k];
  // IFLA_LINK equal to the link's own index means "no parent" — unless it counts in another namespace
  if (a.link !== undefined && (a.link !== hdr.index || a.linkNetnsId !== undefined)) common['link'] = a.link;
  const info = a.linkinfo;
  const port = info?.slaveKind === undefined ? undefined : PORTS.get(info.slaveKind);
  if (port && info?.slaveData) {
    const path = ['IFLA_LINKINFO', `IFLA_INFO_SLAVE_DATA(${info.slaveKind})`];
    common[port.field] = port.data.decode(info.slaveData, 0, info.slaveData.length, path);
  }
  if (!info?.kind) return { ...common, type: 'device' } as DeviceLink;
  const def = KINDS.get(info.kind);
  if (!def) {
    const other: Record<string, unknown> = { ...common, type: 'other', kind: info.kind };
    if (info.data) other['infoData'] = info.data;
    return other as unknown as OtherLink;
  }
  const data =
    def.data && info.data
      ? def.data.decode(info.data, 0, info.data.length, ['IFLA_LINKINFO', `IFLA_INFO_DATA(${info.kind})`])
      : {};
  const link: Record<string, unknown> = { ...common, type: def.type, ...data };
  // fields whose attribute the kernel leaves out at these values (KindDef.unreported)
  if (info.data) for (const [k, v] of Object.entries(def.unreported ?? {})) if (link[k] === undefined) link[k] = v;
  return link as unknown as Link;
}
