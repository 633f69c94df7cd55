// VRF port data (IFLA_INFO_SLAVE_DATA of a VRF's port, IFLA_VRF_PORT_TABLE): decoded from replies
// shaped as the kernel's vrf_fill_slave_info writes them (this kernel has no vrf driver), refused
// by link.set (the driver takes none back), and left out when a read port is re-added. No root
// needed: a scripted kernel answers.
import t from 'tap';
import { DecodeError } from '../../lib/core/errors.js';
import { decodeLink } from '../../lib/link/link.js';
import type { Link, LinkChange, VethLink, VrfPort } from '../../lib/index.js';
import { cstr, fakeHandle, msgOf, nla, u32le } from '../helpers/fake-transport.js';
import { kindOnly, linkMsg, newlinks, portOf, scriptLinks, setAmong, type FakeLink } from '../helpers/port-kernel.js';

/** The RTM_NEWLINK of p0 (index 3), a port of VRF 60 reporting `data`. */
function portMsg(data: Buffer): Link {
  return decodeLink(msgOf(linkMsg(0, 'p0', { index: 3, attrs: portOf(60, 'vrf', data) })));
}

/** vrf0 (index 60, table 10) with its port p0, bridge br0 and a veth n0 without a master. */
function world(): Map<string, FakeLink> {
  return new Map<string, FakeLink>([
    ['vrf0', { index: 60, attrs: nla(18, Buffer.concat([nla(1, cstr('vrf')), nla(2, nla(1, u32le(10)))])) }],
    ['p0', { index: 3, attrs: portOf(60, 'vrf', nla(1, u32le(10))) }],
    ['br0', { index: 61, attrs: kindOnly('bridge') }],
    ['n0', { index: 62, attrs: kindOnly('veth') }],
    ['p9', { index: 70 }],
  ]);
}

t.test("decodes a VRF port's IFLA_VRF_PORT_TABLE into vrfPort", async (t) => {
  const l = portMsg(nla(1, u32le(10)));
  t.equal(l.master, 60);
  t.strictSame(l.vrfPort, { table: 10 });
  // typed as VrfPort: a newer attribute is kept as it came
  const newer: VrfPort = { table: 0xfffffffe, unknown: [{ type: 2, data: u32le(7) }] };
  t.strictSame(portMsg(Buffer.concat([nla(1, u32le(0xfffffffe)), nla(2, u32le(7))])).vrfPort, newer);
  t.strictSame(portMsg(Buffer.alloc(0)).vrfPort, {}, 'an empty IFLA_INFO_SLAVE_DATA');
  t.equal(portMsg(nla(1, u32le(10))).bondPort, undefined, 'read by the VRF table, not another');
  // lengths from the wire are checked, never trusted
  const short = t.throws(() => portMsg(nla(1, Buffer.from([10, 0])))) as unknown;
  t.type(short, DecodeError);
  t.match(short, { path: ['IFLA_LINKINFO', 'IFLA_INFO_SLAVE_DATA(vrf)', 'table'] });
  const over = t.throws(() => portMsg(Buffer.from('0c0001000a000000', 'hex'))) as unknown;
  t.match(over, { name: 'DecodeError', reason: /length 12, 8 bytes remain/ });
});

t.test('link.set refuses vrfPort before sending: the vrf driver takes no port options', async (t) => {
  for (const [change, msg] of [
    [{ vrfPort: { table: 20 } }, /Field "vrfPort\.table" is read-only/],
    [{ vrfPort: { tabel: 20 } }, /Unknown field "vrfPort\.tabel"/],
  ] as const) {
    const s = setAmong(t, world(), change as unknown as LinkChange, 'p0');
    await t.rejects(s.run(), { name: 'TypeError', message: msg });
    t.equal(newlinks(s.fake).length, 0, 'nothing sent');
  }
});

t.test('link.add: a read VRF port re-added sends no port request, with its master or elsewhere', async (t) => {
  const { h, fake } = fakeHandle();
  t.teardown(() => h.close());
  scriptLinks(fake, world());
  const read = (await h.link.get('p0')) as VethLink;
  t.strictSame(read.vrfPort, { table: 10 });
  await h.link.add({ ...read, name: 'p9', peer: { name: 'p8' } });
  t.equal(newlinks(fake).length, 1, 'the create request alone');
  // a master of another kind is taken as it is: the read port's data asks nothing of it
  await h.link.add({ ...read, name: 'p9', peer: { name: 'p8' }, master: 'br0' });
  t.equal(newlinks(fake).length, 2, 'one more create request');
  const sent = newlinks(fake)[1]!;
  t.notOk(sent.msg.includes(Buffer.from('vrf\0')), 'no IFLA_INFO_SLAVE_KIND "vrf" sent');
  t.ok(sent.msg.includes(nla(10, u32le(61))), 'IFLA_MASTER br0');
});
