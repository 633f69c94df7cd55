// Bridge VLAN codec against golden bytes captured from iproute2 6.1 (test/fixtures/bridge-vlan/*.hex,
// made by its capture.sh): each request bridgeVlan sends equals what `bridge vlan …` sent byte for
// byte; list() decodes kernel-shaped replies; bad input is refused naming its field before anything
// is sent. No root.
//
// The replies: this kernel has no CONFIG_BRIDGE_VLAN_FILTERING, so it never sends a VLAN entry. They
// are built here the way net/bridge/br_netlink.c builds them: br_fill_ifinfo() puts ifinfomsg
// { AF_BRIDGE, ARPHRD_ETHER, ifindex, IFF_* }, IFLA_IFNAME, IFLA_MASTER (a bridge's own index for
// the bridge itself), IFLA_MTU, IFLA_OPERSTATE, IFLA_ADDRESS, IFLA_LINK (veth) and, for a port,
// IFLA_PROTINFO (nested, NLA_F_NESTED); then IFLA_AF_SPEC (nla_nest_start_noflag: no NLA_F_NESTED)
// holding one IFLA_BRIDGE_VLAN_INFO per VLAN (br_fill_ifvlaninfo()), or, for
// RTEXT_FILTER_BRVLAN_COMPRESSED, a RANGE_BEGIN/RANGE_END pair per run of consecutive VLANs with
// the same flags (br_fill_ifvlaninfo_range()); an empty AF_SPEC nest is cancelled (what this kernel
// sends for a port: no IFLA_AF_SPEC at all, as strace of `bridge vlan show` shows).
import t from 'tap';
import { NLM_F_DUMP, NLM_F_MULTI, RTM_GETLINK, RTM_NEWLINK } from '../../lib/core/constants.js';
import { DecodeError } from '../../lib/core/errors.js';
import type { NlMsg } from '../../lib/core/nlmsg.js';
import { decodeBridgeVlans } from '../../lib/bridge-vlan.js';
import type { Handle } from '../../lib/handle.js';
import {
  ack,
  cstr,
  done,
  fakeHandle,
  linkPayload,
  nla,
  nlmsg,
  u32le,
  type SentMsg,
  msgOf,
  zeroSeq,
} from '../helpers/fake-transport.js';
import { hexFixture } from '../fixtures/hex.js';
import type { BridgeVlan } from '../../types/bridge-vlan.js';

const fixture = (name: string): Buffer => hexFixture('bridge-vlan', name);

/**
 * Runs a call on a handle over a FakeTransport: requests are ACKed, and the PF_BRIDGE RTM_GETLINK
 * dump is answered with `reply` (payloads of RTM_NEWLINK messages). Returns what was sent.
 */
async function sent(call: (h: Handle) => Promise<unknown>, reply: Buffer[] = []): Promise<SentMsg[]> {
  const { h, fake } = fakeHandle();
  fake.onSend = (msgs) =>
    setImmediate(() => {
      for (const m of msgs) {
        if (m.type === RTM_GETLINK && (m.flags & NLM_F_DUMP) !== NLM_F_DUMP)
          // a lookup by name: br0 is ifindex 2, as in the capture namespace
          fake.deliver(nlmsg(RTM_NEWLINK, 0, m.seq, linkPayload(2, 'br0')), ack(m.seq));
        else if ((m.flags & NLM_F_DUMP) !== NLM_F_DUMP) fake.deliver(ack(m.seq));
        else fake.deliver(...reply.map((p) => nlmsg(RTM_NEWLINK, NLM_F_MULTI, m.seq, p)), done(m.seq));
      }
    });
  try {
    await call(h);
    return fake.sent;
  } finally {
    h.close();
  }
}

async function one(call: (h: Handle) => Promise<unknown>): Promise<Buffer> {
  const msgs = await sent(call);
  if (msgs.length !== 1) throw new Error(`expected one message, got ${msgs.length}`);
  return zeroSeq(msgs[0]!.msg);
}

t.test("add/del: requests equal bridge vlan's bytes", async (t) => {
  // links in the capture namespace: lo=1 br0=2 veth1=3 veth0=4
  const cases: [string, (h: Handle) => Promise<unknown>][] = [
    ['vlan-add', (h) => h.bridgeVlan.add({ dev: 4, vid: 10 })],
    ['vlan-add-pvid-untagged', (h) => h.bridgeVlan.add({ dev: 4, vid: 10, pvid: true, untagged: true })],
    ['vlan-add-range', (h) => h.bridgeVlan.add({ dev: 4, vid: 10, vidEnd: 20, untagged: true })],
    ['vlan-add-self', (h) => h.bridgeVlan.add({ dev: 2, vid: 10, self: true })],
    ['vlan-add-master', (h) => h.bridgeVlan.add({ dev: 4, vid: 10, master: true })],
    ['vlan-add-self-master', (h) => h.bridgeVlan.add({ dev: 4, vid: 30, pvid: true, self: true, master: true })],
    ['vlan-del', (h) => h.bridgeVlan.del({ dev: 4, vid: 10 })],
    ['vlan-del-range', (h) => h.bridgeVlan.del({ dev: 4, vid: 10, vidEnd: 20 })],
  ];
  for (const [file, call] of cases) {
    const ours = await one(call);
    t.equal(ours.toString('hex'), fixture(file).toString('hex'), `${file}: our request is bridge's, byte for byte`);
  }
  // false booleans send nothing: the same bytes as leaving them out
  const off = await one((h) => h.bridgeVlan.add({ dev: 4, vid: 10, pvid: false, untagged: false, self: false }));
  t.equal(off.toString('hex'), fixture('vlan-add').toString('hex'), 'false flags are absent flags');
});

t.test("list: the dump request is bridge vlan show's", async (t) => {
  const dumps = (msgs: SentMsg[]): Buffer[] => msgs.filter((m) => m.type === RTM_GETLINK).map((m) => zeroSeq(m.msg));
  const plain = dumps(await sent((h) => h.bridgeVlan.list()));
  t.equal(plain.length, 1, 'one dump');
  t.equal(plain[0]!.toString('hex'), fixture('vlan-show').toString('hex'), 'RTEXT_FILTER_BRVLAN, as bridge vlan show');
  const comp = dumps(await sent((h) => h.bridgeVlan.list({ compress: true })));
  t.equal(
    comp[0]!.toString('hex'),
    fixture('vlan-show-compressed').toString('hex'),
    'RTEXT_FILTER_BRVLAN_COMPRESSED, as bridge -compressvlans vlan show',
  );
});

// ---- kernel-shaped replies (see the header comment) ----

const AF_BRIDGE = 7;
const IFF_UP_BCAST_MCAST_LOWER = 0x1 | 0x2 | 0x1000 | 0x10000;

function u8(v: number): Buffer {
  return Buffer.from([v]);
}
function vinfo(flags: number, vid: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(flags, 0);
  b.writeUInt16LE(vid, 2);
  return nla(2, b); // IFLA_BRIDGE_VLAN_INFO
}
/** br_fill_ifinfo()'s message for `index`/`name` under bridge `master`, with VLAN infos (or none). */
function brLink(index: number, name: string, master: number, infos: Buffer[] | undefined, port = true): Buffer {
  const hdr = Buffer.alloc(16);
  hdr.writeUInt8(AF_BRIDGE, 0);
  hdr.writeUInt16LE(1, 2); // ARPHRD_ETHER
  hdr.writeInt32LE(index, 4);
  hdr.writeUInt32LE(IFF_UP_BCAST_MCAST_LOWER, 8);
  const attrs = [
    nla(3, cstr(name)), // IFLA_IFNAME
    nla(10, u32le(master)), // IFLA_MASTER
    nla(4, u32le(1500)), // IFLA_MTU
    nla(16, u8(6)), // IFLA_OPERSTATE: up
    nla(1, Buffer.from([2, 0, 0, 0, 0, index])), // IFLA_ADDRESS
  ];
  if (port) {
    attrs.push(nla(5, u32le(index + 1))); // IFLA_LINK: the veth peer
    // IFLA_PROTINFO | NLA_F_NESTED: IFLA_BRPORT_STATE forwarding, IFLA_BRPORT_PRIORITY 32, IFLA_BRPORT_COST 2
    const prio = Buffer.alloc(2);
    prio.writeUInt16LE(32);
    attrs.push(nla(12 | 0x8000, Buffer.concat([nla(1, u8(3)), nla(2, prio), nla(3, u32le(2))])));
  }
  if (infos) attrs.push(nla(26, Buffer.concat(infos))); // IFLA_AF_SPEC, no NLA_F_NESTED
  return Buffer.concat([hdr, ...attrs]);
}

const PVID = 2;
const UNTAGGED = 4;
const BEGIN = 8;
const END = 16;

t.test('list: decodes per-port entries from kernel-shaped replies', async (t) => {
  let got: BridgeVlan[] = [];
  // br0 (2) with its own VLAN 1 (pvid untagged: the default_pvid), veth0 (4) with 1, 10 and 20-22
  // uncompressed; veth2 (6) a port without VLANs (no IFLA_AF_SPEC)
  const reply = [
    brLink(2, 'br0', 2, [vinfo(PVID | UNTAGGED, 1)], false),
    brLink(4, 'veth0', 2, [vinfo(PVID | UNTAGGED, 1), vinfo(0, 10), vinfo(UNTAGGED, 20), vinfo(UNTAGGED, 21)]),
    brLink(6, 'veth2', 2, undefined),
  ];
  await sent(async (h) => void (got = await h.bridgeVlan.list()), reply);
  t.same(got, [
    { dev: 'br0', index: 2, vid: 1, pvid: true, untagged: true, master: 'br0' },
    { dev: 'veth0', index: 4, vid: 1, pvid: true, untagged: true, master: 'br0' },
    { dev: 'veth0', index: 4, vid: 10, pvid: false, untagged: false, master: 'br0' },
    { dev: 'veth0', index: 4, vid: 20, pvid: false, untagged: true, master: 'br0' },
    { dev: 'veth0', index: 4, vid: 21, pvid: false, untagged: true, master: 'br0' },
  ]);
  await sent(async (h) => void (got = await h.bridgeVlan.list({ dev: 4, vid: 20 })), reply);
  t.same(got, [{ dev: 'veth0', index: 4, vid: 20, pvid: false, untagged: true, master: 'br0' }], 'dev and vid filter');

  // compressed: 1 pvid untagged, 10-12 tagged, 20-21 untagged (br_fill_ifvlaninfo_compressed)
  const compressed = [
    brLink(4, 'veth0', 2, [
      vinfo(PVID | UNTAGGED, 1),
      vinfo(BEGIN, 10),
      vinfo(END, 12),
      vinfo(UNTAGGED | BEGIN, 20),
      vinfo(UNTAGGED | END, 21),
    ]),
  ];
  await sent(async (h) => void (got = await h.bridgeVlan.list({ compress: true })), compressed);
  t.same(got, [
    { dev: 'veth0', index: 4, vid: 1, pvid: true, untagged: true, master: 'if2' },
    { dev: 'veth0', index: 4, vid: 10, vidEnd: 12, pvid: false, untagged: false, master: 'if2' },
    { dev: 'veth0', index: 4, vid: 20, vidEnd: 21, pvid: false, untagged: true, master: 'if2' },
  ]);
  await sent(async (h) => void (got = await h.bridgeVlan.list({ compress: true, vid: 11 })), compressed);
  t.same(
    got.map((e) => [e.vid, e.vidEnd]),
    [[10, 12]],
    'vid filter matches inside a range',
  );

  // a read entry goes back into del: a port's as plain `del`, the bridge's own with self
  const portDel = await one((h) => h.bridgeVlan.del({ dev: 4, vid: 10, pvid: false, untagged: false, index: 4 }));
  t.equal(portDel.toString('hex'), fixture('vlan-del').toString('hex'), 'a listed port entry deletes as bridge does');
  const own = decodeBridgeVlans(msgOf(nlmsg(RTM_NEWLINK, 0, 0, brLink(2, 'br0', 2, [vinfo(0, 10)], false))))[0]!;
  t.same(own, { dev: 'br0', index: 2, vid: 10, pvid: false, untagged: false, master: 'br0' });
  const ownAdd = (await sent((h) => h.bridgeVlan.add(own))).filter((x) => x.type !== RTM_GETLINK);
  t.equal(ownAdd.length, 1);
  t.equal(
    zeroSeq(ownAdd[0]!.msg).toString('hex'),
    fixture('vlan-add-self').toString('hex'),
    "the bridge's own entry is sent with self",
  );
});

t.test('decoder: other families skipped, malformed bytes refused', (t) => {
  const m = (p: Buffer): NlMsg => msgOf(nlmsg(RTM_NEWLINK, 0, 0, p));
  const unspec = brLink(4, 'veth0', 2, [vinfo(0, 10)]);
  unspec.writeUInt8(0, 0);
  t.same(decodeBridgeVlans(m(unspec)), [], 'an AF_UNSPEC link has no bridge VLANs');
  // a tunnel-info nest (IFLA_BRIDGE_VLAN_TUNNEL_INFO) beside the VLAN is kept out, not an error
  const tun = nla(3 | 0x8000, Buffer.concat([nla(1, u32le(1000)), nla(2, u32le(10))]));
  t.same(
    decodeBridgeVlans(m(brLink(4, 'veth0', 2, [vinfo(0, 10), tun]))).map((e) => e.vid),
    [10],
    'other IFLA_BRIDGE_* attributes skipped',
  );
  const short = nla(2, Buffer.from([0, 0])); // a 2-byte bridge_vlan_info
  t.throws(() => decodeBridgeVlans(m(brLink(4, 'veth0', 2, [short]))), DecodeError, 'a short struct');
  t.throws(() => decodeBridgeVlans(m(brLink(4, 'veth0', 2, [vinfo(BEGIN, 10)]))), DecodeError, 'a range never ended');
  t.throws(
    () => decodeBridgeVlans(m(brLink(4, 'veth0', 2, [vinfo(BEGIN, 10), vinfo(0, 11)]))),
    DecodeError,
    'a range begin followed by a single VLAN',
  );
  t.throws(() => decodeBridgeVlans(m(brLink(4, 'veth0', 2, [vinfo(END, 12)]))), DecodeError, 'an end without a begin');
  // IFLA_AF_SPEC claiming more bytes than the message holds
  const lying = brLink(4, 'veth0', 2, [vinfo(0, 10)]);
  lying.writeUInt16LE(200, lying.length - 12);
  t.throws(() => decodeBridgeVlans(m(lying)), DecodeError, 'a length past the message');
  // an inner attribute claiming more than its nest
  const inner = brLink(4, 'veth0', 2, [vinfo(0, 10)]);
  inner.writeUInt16LE(40, inner.length - 8);
  t.throws(() => decodeBridgeVlans(m(inner)), DecodeError, 'an inner length past the nest');
  t.end();
});

t.test('bad input is refused naming its field, before anything is sent', async (t) => {
  const { h, fake } = fakeHandle();
  const bad: [unknown, RegExp, ErrorConstructor][] = [
    [{ dev: 4 }, /"vid"/, TypeError],
    [{ dev: 4, vid: 0 }, /"vid" to be an integer in 1\.\.4094, got 0/, RangeError],
    [{ dev: 4, vid: 4095 }, /"vid"/, RangeError],
    [{ dev: 4, vid: 10.5 }, /"vid"/, TypeError],
    [{ dev: 4, vid: 10, vidEnd: 10 }, /"vidEnd" to be greater than "vid" \(10\)/, RangeError],
    [{ dev: 4, vid: 10, vidEnd: 4095 }, /"vidEnd"/, RangeError],
    [{ dev: 4, vid: 10, vidEnd: 20, pvid: true }, /"pvid" without "vidEnd"/, TypeError],
    [{ dev: 4, vid: 10, pvid: 'yes' }, /"pvid" to be a boolean/, TypeError],
    [{ dev: 4, vid: 10, untagged: 1 }, /"untagged" to be a boolean/, TypeError],
    [{ dev: 4, vid: 10, self: null }, /"self" to be a boolean/, TypeError],
    [{ dev: 4, vid: 10, master: 1 }, /"master" to be a boolean/, TypeError],
    [{ dev: 4, vid: 10, tagged: true }, /Unknown field "tagged" in the bridge vlan spec/, TypeError],
    [{ vid: 10 }, /"dev"/, TypeError],
    [{ dev: 'a/b', vid: 10 }, /"dev"/, TypeError],
    [{ dev: 0, vid: 10 }, /"dev"/, RangeError],
  ];
  try {
    for (const [spec, msg, cls] of bad) {
      await t.rejects(h.bridgeVlan.add(spec as never), cls, `add ${JSON.stringify(spec)}: ${cls.name}`);
      await t.rejects(h.bridgeVlan.add(spec as never), { message: msg });
    }
    await t.rejects(h.bridgeVlan.del({ dev: 4, vid: 5000 }), { name: 'RangeError', message: /"vid"/ });
    await t.rejects(h.bridgeVlan.list({ vlan: 10 } as never), {
      message: /Unknown field "vlan" in the bridge vlan filter/,
    });
    await t.rejects(h.bridgeVlan.list({ vid: 0 }), RangeError);
    await t.rejects(h.bridgeVlan.list({ compress: 'yes' } as never), { message: /"compress" to be a boolean/ });
    await t.rejects(h.bridgeVlan.list({ dev: '' }), { message: /"dev"/ });
    t.equal(fake.sent.length, 0, 'nothing was sent');
  } finally {
    h.close();
  }
});
