// A bond's IFLA_INFO_DATA as the kernel's bond_fill_info writes it (seen on a real bonding driver,
// User-mode Linux 6.1.176, beside `ip -j -d link show`): IFLA_BOND_COUPLED_CONTROL on every bond
// where the kernel has it, IFLA_BOND_AD_INFO on an 802.3ad bond with an active aggregator,
// IFLA_BOND_NS_IP6_TARGET where targets are set. This host has no
// bonding driver, so the replies are built here; the request bytes of `ns_ip6_target` are compared
// with iproute2's in link-fixtures.test.ts.
import t from 'tap';
import { DecodeError } from '../../lib/core/errors.js';
import { NlWriter } from '../../lib/core/attr.js';
import { decodeLink } from '../../lib/link/link.js';
import { splitSpec, writeLink } from '../../lib/link/spec.js';
import type { BondLink, LinkSpec } from '../../lib/index.js';
import { cstr, msgOf, nla } from '../helpers/fake-transport.js';
import { linkMsg } from '../helpers/port-kernel.js';

const u8 = (v: number): Buffer => Buffer.from([v]);
const u16le = (v: number): Buffer => Buffer.from([v & 0xff, v >> 8]);
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const ip6 = (last: number): Buffer => Buffer.from([0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), last]);

/** The RTM_NEWLINK of bond0 (index 7) whose IFLA_INFO_DATA is `data`. */
function bondMsg(data: Buffer): BondLink {
  const info = nla(18, Buffer.concat([nla(1, cstr('bond')), nla(2, data)]));
  const l = decodeLink(msgOf(linkMsg(0, 'bond0', { index: 7, attrs: info })));
  if (l.type !== 'bond') throw new Error(`read as ${l.type}`);
  return l;
}

const adInfo = Buffer.concat([
  nla(1, u16le(1)), // IFLA_BOND_AD_INFO_AGGREGATOR
  nla(2, u16le(2)), // IFLA_BOND_AD_INFO_NUM_PORTS
  nla(3, u16le(9)), // IFLA_BOND_AD_INFO_ACTOR_KEY
  nla(4, u16le(1)), // IFLA_BOND_AD_INFO_PARTNER_KEY
  nla(5, Buffer.from([0, 0, 0, 0, 0, 0])), // IFLA_BOND_AD_INFO_PARTNER_MAC
]);

t.test('an 802.3ad bond reports coupledControl and its aggregator (adInfo)', async (t) => {
  const l = bondMsg(
    Buffer.concat([
      nla(1, u8(4)), // IFLA_BOND_MODE 802.3ad
      nla(3, u32(100)), // IFLA_BOND_MIIMON
      nla(23, adInfo), // IFLA_BOND_AD_INFO (nla_nest_start_noflag: no NLA_F_NESTED)
      nla(32, u8(1)), // IFLA_BOND_COUPLED_CONTROL
    ]),
  );
  t.match(l, { type: 'bond', mode: '802.3ad', miimon: 100, coupledControl: true });
  t.strictSame(l.adInfo, { aggregator: 1, numPorts: 2, actorKey: 9, partnerKey: 1, partnerMac: '00:00:00:00:00:00' });
  t.equal(l.unknown, undefined, 'nothing left undecoded');
  t.equal(bondMsg(nla(32, u8(0))).coupledControl, false, 'off');
});

t.test('nsIp6Target: the IPv6 targets, numbered from 0 as bond_fill_info writes them', async (t) => {
  const l = bondMsg(nla(31, Buffer.concat([nla(0, ip6(1)), nla(1, ip6(2))])));
  t.strictSame(l.nsIp6Target, ['2001:db8::1', '2001:db8::2']);
  const short = t.throws(() => bondMsg(nla(31, nla(0, Buffer.alloc(4))))) as unknown;
  t.type(short, DecodeError, 'an address of 4 bytes is refused, not read past');
});

t.test('adInfo is read-only; coupledControl is left out of link.add at the default', async (t) => {
  const read = bondMsg(Buffer.concat([nla(1, u8(4)), nla(23, adInfo), nla(32, u8(1))]));
  const again = (spec: LinkSpec): Buffer => {
    const w = new NlWriter(1024);
    writeLink(w, splitSpec(spec), 0, true);
    return Buffer.from(w.buf.subarray(0, w.pos));
  };
  const bare = again({ type: 'bond', name: 'bond1', mode: '802.3ad' });
  t.strictSame(
    again({ type: 'bond', name: 'bond1', mode: '802.3ad', adInfo: read.adInfo, coupledControl: true } as LinkSpec),
    bare,
    'a read bond re-added sends neither (other modes refuse coupled_control; older kernels ignore it)',
  );
  t.notSame(
    again({ type: 'bond', name: 'bond1', mode: '802.3ad', coupledControl: false }),
    bare,
    'coupledControl off is sent',
  );
});

t.test("a read bond re-added leaves out the options at the kernel's defaults that some modes refuse", async (t) => {
  // every attribute bond_fill_info writes for a new 802.3ad bond, at its default
  const defaults = bondMsg(
    Buffer.concat([
      nla(1, u8(4)), // MODE 802.3ad
      ...[3, 4, 5].map((n) => nla(n, u32(0))), // MIIMON, UPDELAY, DOWNDELAY
      nla(6, u8(1)), // USE_CARRIER
      nla(7, u32(0)), // ARP_INTERVAL (refused in 802.3ad, balance-tlb, balance-alb)
      nla(9, u32(0)), // ARP_VALIDATE (idem)
      nla(10, u32(0)), // ARP_ALL_TARGETS
      nla(12, u8(0)), // PRIMARY_RESELECT
      nla(13, u8(0)), // FAIL_OVER_MAC
      nla(14, u8(0)), // XMIT_HASH_POLICY
      nla(15, u32(1)), // RESEND_IGMP
      nla(16, u8(1)), // NUM_PEER_NOTIF
      nla(17, u8(0)), // ALL_SLAVES_ACTIVE
      nla(18, u32(0)), // MIN_LINKS
      nla(19, u32(1)), // LP_INTERVAL
      nla(20, u32(1)), // PACKETS_PER_SLAVE (balance-rr only)
      nla(21, u8(0)), // AD_LACP_RATE (802.3ad only)
      nla(22, u8(0)), // AD_SELECT (802.3ad only)
      nla(24, u16le(65535)), // AD_ACTOR_SYS_PRIO (802.3ad only)
      nla(25, u16le(0)), // AD_USER_PORT_KEY (802.3ad only)
      nla(26, Buffer.alloc(6)), // AD_ACTOR_SYSTEM (802.3ad only)
      nla(27, u8(1)), // TLB_DYNAMIC_LB (balance-tlb, balance-alb only)
      nla(28, u32(0)), // PEER_NOTIF_DELAY (EPERM without miimon)
      nla(29, u8(1)), // AD_LACP_ACTIVE (802.3ad only)
      nla(30, u8(2)), // MISSED_MAX (refused in 802.3ad, balance-tlb, balance-alb)
      nla(32, u8(1)), // COUPLED_CONTROL (802.3ad only)
    ]),
  );
  const bytes = (spec: LinkSpec): Buffer => {
    const w = new NlWriter(1024);
    writeLink(w, splitSpec(spec), 0, true);
    return Buffer.from(w.buf.subarray(0, w.pos));
  };
  const kept = {
    type: 'bond',
    name: 'b1',
    mtu: 1500,
    up: false,
    mode: '802.3ad',
    miimon: 0,
    useCarrier: true,
    arpAllTargets: 'any',
    primaryReselect: 'always',
    failOverMac: 'none',
    xmitHashPolicy: 'layer2',
    resendIgmp: 1,
    numGratArp: 1,
    allSlavesActive: false,
    minLinks: 0,
    lpInterval: 1,
  } as const;
  t.strictSame(bytes({ ...defaults, name: 'b1' }), bytes(kept), 'only the options every mode takes are sent');
  // what a caller gives off the default is sent
  const custom = { ...kept, arpInterval: 100, packetsPerSlave: 2, lacpRate: 'fast', missedMax: 3 } as const;
  t.notSame(bytes(custom), bytes(kept));
  t.equal(bytes(custom).length - bytes(kept).length, 4 * 8, 'four attributes more');
});
