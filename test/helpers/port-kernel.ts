// A scripted kernel for port options (IFLA_INFO_SLAVE_DATA) without root: links with a master and
// the master's kind as the kernel reports them, RTM_GETLINK answered from them, RTM_NEWLINK ACKed
// or refused; and an attribute tree that compares our requests with iproute2's captures.
import type { Test } from 'tap';
import { NLA_TYPE_MASK, RTM_GETLINK, RTM_NEWLINK } from '../../lib/core/constants.js';
import { ifla } from '../../lib/link/ifla.js';
import type { Handle, Link, LinkChange } from '../../lib/index.js';
import type { Fixture } from '../fixtures/link/fixture.js';
import {
  ack,
  cstr,
  fakeHandle,
  linkPayload,
  nla,
  nlmsg,
  u32le,
  type FakeTransport,
  type SentMsg,
} from './fake-transport.js';

/** A link of the scripted namespace. */
export interface FakeLink {
  index: number;
  /** Attributes after IFLA_IFNAME/IFLA_MTU (IFLA_MASTER, IFLA_LINKINFO). */
  attrs?: Buffer;
  /** IFF_UP. */
  up?: boolean;
}

/** IFLA_LINKINFO {IFLA_INFO_KIND kind} of a link with no master. */
export function kindOnly(kind: string): Buffer {
  return nla(18, nla(1, cstr(kind)));
}

/**
 * IFLA_MASTER and IFLA_LINKINFO of a port, in the kernel's order (rtnl_link_info_fill, then
 * rtnl_link_slave_info_fill): IFLA_INFO_KIND, IFLA_INFO_SLAVE_KIND, IFLA_INFO_SLAVE_DATA (left
 * out where the master's driver has no fill_slave_info, as a team's).
 */
export function portOf(master: number, slaveKind: string, slaveData?: Buffer, kind = 'veth'): Buffer {
  const info = [nla(1, cstr(kind)), nla(4, cstr(slaveKind))];
  if (slaveData) info.push(nla(5, slaveData));
  return Buffer.concat([nla(10, u32le(master)), nla(18, Buffer.concat(info))]);
}

/** The RTM_NEWLINK the kernel reports of `name`. */
export function linkMsg(seq: number, name: string, l: FakeLink): Buffer {
  const p = linkPayload(l.index, name);
  if (l.up) p.writeUInt32LE(1, 8);
  return nlmsg(RTM_NEWLINK, 0, seq, Buffer.concat([p, l.attrs ?? Buffer.alloc(0)]));
}

/** A scripted kernel: RTM_GETLINK from `links` (ENODEV otherwise), `refuse` answers RTM_NEWLINK, ACK otherwise. */
export function scriptLinks(
  fake: FakeTransport,
  links: Map<string, FakeLink>,
  refuse: (m: SentMsg) => number = () => 0,
): void {
  const byIndex = new Map([...links].map(([n, l]) => [l.index, n]));
  fake.onSend = (msgs) =>
    setImmediate(() => {
      for (const m of msgs) {
        if (m.type !== RTM_GETLINK) {
          fake.deliver(ack(m.seq, m.type === RTM_NEWLINK ? -refuse(m) : 0));
          continue;
        }
        const index = m.payload.readInt32LE(4);
        const name = index ? byIndex.get(index) : ifla.decode(m.payload, 16, m.payload.length).name;
        const l = name === undefined ? undefined : links.get(name);
        if (!name || !l) fake.deliver(ack(m.seq, -19));
        else fake.deliver(linkMsg(m.seq, name, l), ack(m.seq));
      }
    });
}

/** The RTM_NEWLINK requests sent. */
export function newlinks(fake: FakeTransport): SentMsg[] {
  return fake.sent.filter((m) => m.type === RTM_NEWLINK);
}

/** One attribute of a request: a leaf's payload in hex (kind strings as text), or a nest's attributes. */
export interface Attr {
  type: number;
  leaf?: string;
  kids?: Attr[];
}

/**
 * The attribute tree of an RTM_NEWLINK's attributes, IFLA_LINKINFO and its IFLA_INFO_SLAVE_DATA
 * walked, each level sorted by type. iproute2 names the port's master kind as IFLA_INFO_KIND
 * "<kind>_slave", we as IFLA_INFO_SLAVE_KIND "<kind>" (see lib/link/spec.ts writeLink): that one
 * attribute is read as the other, every other byte is compared as sent.
 */
export function attrTree(b: Buffer, off: number, end: number, path = ''): Attr[] {
  const out: Attr[] = [];
  while (off + 4 <= end) {
    const len = b.readUInt16LE(off);
    let type = b.readUInt16LE(off + 2) & NLA_TYPE_MASK;
    const p = `${path}/${type}`;
    let payload = b.subarray(off + 4, off + len).toString('hex');
    // iproute2 6.1 sends IFLA_INFO_KIND without its NUL: kind strings are compared without
    if (p === '/18/1' || p === '/18/4') payload = b.toString('utf8', off + 4, off + len).replace(/\0+$/, '');
    if (p === '/18/1' && payload.endsWith('_slave')) [type, payload] = [4, payload.slice(0, -'_slave'.length)];
    if (p === '/18' || p === '/18/5') out.push({ type, kids: attrTree(b, off + 4, off + len, p) });
    else out.push({ type, leaf: payload });
    off += (len + 3) & ~3;
  }
  return out.sort((x, y) => x.type - y.type);
}

/** The payload of the attribute `type` among b[off, end). */
export function attrIn(b: Buffer, off: number, end: number, type: number): Buffer {
  while (off + 4 <= end) {
    const len = b.readUInt16LE(off);
    if ((b.readUInt16LE(off + 2) & NLA_TYPE_MASK) === type) return b.subarray(off + 4, off + len);
    off += (len + 3) & ~3;
  }
  throw new Error(`no attribute ${type}`);
}

/** The IFLA_INFO_SLAVE_DATA payload of an RTM_NEWLINK (a whole message). */
export function slaveData(m: Buffer): Buffer {
  const info = attrIn(m, 32, m.length, 18);
  return attrIn(info, 0, info.length, 5);
}

/** Our request beside iproute2's captured one: message type, flags, struct ifinfomsg, every attribute. */
export function compareWithCapture(t: Test, ours: SentMsg, fx: Fixture): void {
  const theirs = fx.last.msg;
  t.equal(ours.type, fx.last.type, 'message type');
  t.equal(ours.flags, fx.last.flags, 'nlmsg_flags');
  t.equal(ours.payload.subarray(0, 16).toString('hex'), theirs.subarray(16, 32).toString('hex'), 'struct ifinfomsg');
  t.same(attrTree(ours.msg, 32, ours.msg.length), attrTree(theirs, 32, theirs.length), 'the same attributes and bytes');
}

/** A link.set on a fake handle whose scripted kernel holds `links`. */
export interface ScriptedSet {
  run: () => Promise<Link>;
  fake: FakeTransport;
  h: Handle;
}

/** `link.set(ref, change)` against a scripted kernel holding `links` (closed at the test's end). */
export function setAmong(
  t: Test,
  links: Map<string, FakeLink>,
  change: LinkChange,
  ref: string,
  refuse?: (m: SentMsg) => number,
): ScriptedSet {
  const { h, fake } = fakeHandle();
  t.teardown(() => h.close());
  scriptLinks(fake, links, refuse);
  return { run: () => h.link.set(ref, change), fake, h };
}

/**
 * Each bad value of a port field (`bridgePort`, `bondPort`) is refused with its error class and
 * message, and nothing is sent; so is the field given as something other than an object.
 */
export async function refusesBadPortValues(
  t: Test,
  field: 'bridgePort' | 'bondPort',
  bad: readonly [Record<string, unknown>, RegExp, typeof TypeError][],
  setIn: (change: LinkChange) => ScriptedSet,
): Promise<void> {
  for (const [port, msg, cls] of bad) {
    const s = setIn({ [field]: port } as LinkChange);
    await t.rejects(s.run(), cls === RangeError ? new RangeError() : new TypeError(), JSON.stringify(port));
    await t.rejects(s.run(), { message: msg }, JSON.stringify(port));
    t.equal(newlinks(s.fake).length, 0, `nothing sent for ${JSON.stringify(port)}`);
  }
  const s = setIn({ [field]: 'text' } as unknown as LinkChange);
  await t.rejects(s.run(), { name: 'TypeError', message: new RegExp(`"${field}"`) });
  t.equal(newlinks(s.fake).length, 0, 'nothing sent for a string');
}
