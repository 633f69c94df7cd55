// Neighbour and bridge-FDB codec against golden bytes captured from iproute2 6.1
// (test/fixtures/neigh/*.hex, made by capture.sh): each request the API sends equals what
// `ip neigh` / `bridge fdb` sent byte for byte, decodes to a hand-written object, and bad input
// is refused naming its field before anything is sent. No root.
import t from 'tap';
import { NLM_F_DUMP, RTM_GETLINK, RTM_GETNEIGH, RTM_NEWLINK, RTM_NEWNEIGH } from '../../lib/core/constants.js';
import { DecodeError } from '../../lib/core/errors.js';
import { decodeFdb, decodeNeigh } from '../../lib/neigh.js';
import type { Handle } from '../../lib/handle.js';
import {
  ack,
  done,
  fakeHandle,
  linkPayload,
  nla,
  nlmsg,
  turn,
  type SentMsg,
  msgOf,
  zeroSeq,
} from '../helpers/fake-transport.js';
import { hexFixture } from '../fixtures/hex.js';

const fixture = (name: string): Buffer => hexFixture('neigh', name);

/**
 * Runs an API call on a handle over a FakeTransport that acks every request and ends every dump
 * empty (answering RTM_GETLINK dumps with `links`); returns every message sent.
 */
async function sent(call: (h: Handle) => Promise<unknown>, links: [number, string][] = []): Promise<SentMsg[]> {
  const { h, fake } = fakeHandle();
  fake.onSend = (msgs) =>
    setImmediate(() => {
      for (const m of msgs) {
        if ((m.flags & NLM_F_DUMP) !== NLM_F_DUMP) fake.deliver(ack(m.seq));
        else if (m.type === RTM_GETLINK)
          fake.deliver(...links.map(([i, n]) => nlmsg(16, 2, m.seq, linkPayload(i, n))), done(m.seq));
        else fake.deliver(done(m.seq));
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

const names = (m: Record<number, string>): Map<number, string> =>
  new Map(Object.entries(m).map(([k, v]) => [Number(k), v]));

t.test("neigh: requests equal ip neigh's bytes and decode to the entry", async (t) => {
  const veth = names({ 3: 'veth0' });
  const cases = [
    {
      file: 'neigh-add-v4',
      call: (h: Handle) => h.neigh.add({ dev: 3, dst: '10.0.0.2', lladdr: '02:00:00:00:00:02' }),
      want: {
        family: 4,
        dev: 'veth0',
        index: 3,
        dst: '10.0.0.2',
        lladdr: '02:00:00:00:00:02',
        state: 'permanent',
        flags: [],
      },
    },
    {
      file: 'neigh-replace-v6',
      call: (h: Handle) =>
        h.neigh.replace({
          dev: 3,
          dst: '2001:db8::2',
          lladdr: '02:00:00:00:00:03',
          state: 'stale',
          router: true,
          protocol: 'static',
        }),
      want: {
        family: 6,
        dev: 'veth0',
        index: 3,
        dst: '2001:db8::2',
        lladdr: '02:00:00:00:00:03',
        state: 'stale',
        flags: ['router'],
        protocol: 'static',
      },
    },
    {
      file: 'neigh-del-v4',
      call: (h: Handle) => h.neigh.del({ dev: 3, dst: '10.0.0.2' }),
      want: { family: 4, dev: 'veth0', index: 3, dst: '10.0.0.2', state: 'permanent', flags: [] },
    },
    {
      file: 'neigh-add-proxy',
      call: (h: Handle) => h.neigh.add({ dev: 3, dst: '10.0.0.9', proxy: true }),
      want: { family: 4, dev: 'veth0', index: 3, dst: '10.0.0.9', state: 'permanent', flags: ['proxy'] },
    },
  ];
  for (const c of cases) {
    const golden = fixture(c.file);
    t.same(decodeNeigh(msgOf(golden), veth), c.want, `${c.file}: the fixture decodes to the hand-written entry`);
    const ours = await one(c.call);
    t.equal(ours.toString('hex'), golden.toString('hex'), `${c.file}: our request is ip's, byte for byte`);
    t.same(decodeNeigh(msgOf(ours), veth), c.want, `${c.file}: our request decodes back to the entry`);
  }
});

t.test("fdb: requests equal bridge fdb's bytes and decode to the entry", async (t) => {
  const devs = names({ 2: 'vx0', 4: 'veth0' });
  const flood = { dev: 2, lladdr: '00:00:00:00:00:00', dst: '10.0.0.2' };
  const cases = [
    {
      file: 'fdb-append-flood',
      call: (h: Handle) => h.fdb.append(flood),
      want: { dev: 'vx0', index: 2, lladdr: '00:00:00:00:00:00', dst: '10.0.0.2', state: 'permanent', flags: ['self'] },
    },
    {
      file: 'fdb-del-flood',
      call: (h: Handle) => h.fdb.del(flood),
      want: { dev: 'vx0', index: 2, lladdr: '00:00:00:00:00:00', dst: '10.0.0.2', state: 'permanent', flags: ['self'] },
    },
    {
      file: 'fdb-add-vxlan',
      call: (h: Handle) =>
        h.fdb.add({
          dev: 2,
          lladdr: '02:00:00:00:00:06',
          dst: '10.0.0.3',
          port: 4790,
          vni: 100,
          self: true,
          permanent: true,
        }),
      want: {
        dev: 'vx0',
        index: 2,
        lladdr: '02:00:00:00:00:06',
        dst: '10.0.0.3',
        port: 4790,
        vni: 100,
        state: 'permanent',
        flags: ['self'],
      },
    },
    {
      file: 'fdb-add-master',
      call: (h: Handle) => h.fdb.add({ dev: 4, lladdr: '02:00:00:00:00:05', master: true, static: true, vlan: 10 }),
      want: { dev: 'veth0', index: 4, lladdr: '02:00:00:00:00:05', vlan: 10, state: 'static', flags: ['master'] },
    },
    {
      file: 'fdb-add-sticky',
      call: (h: Handle) => h.fdb.add({ dev: 4, lladdr: '02:00:00:00:00:08', master: true, static: true, sticky: true }),
      want: { dev: 'veth0', index: 4, lladdr: '02:00:00:00:00:08', state: 'static', flags: ['master', 'sticky'] },
    },
    {
      file: 'fdb-replace-dynamic',
      call: (h: Handle) => h.fdb.replace({ dev: 4, lladdr: '02:00:00:00:00:07', master: true, dynamic: true }),
      want: { dev: 'veth0', index: 4, lladdr: '02:00:00:00:00:07', state: 'dynamic', flags: ['master'] },
    },
  ];
  for (const c of cases) {
    const golden = fixture(c.file);
    t.same(decodeFdb(msgOf(golden), devs), c.want, `${c.file}: the fixture decodes to the hand-written entry`);
    const ours = await one(c.call);
    t.equal(ours.toString('hex'), golden.toString('hex'), `${c.file}: our request is bridge's, byte for byte`);
    t.same(decodeFdb(msgOf(ours), devs), c.want, `${c.file}: our request decodes back to the entry`);
  }
  t.equal(decodeFdb(msgOf(fixture('neigh-add-v4'))), undefined, 'decodeFdb skips an AF_INET neighbour');
  t.equal(decodeNeigh(msgOf(fixture('fdb-append-flood'))), undefined, 'decodeNeigh skips an AF_BRIDGE entry');
});

t.test("dump requests pass the kernel's strict checks: filters as attributes / ifindex only", async (t) => {
  const nl = (await sent((h) => h.neigh.list({ dev: 3, master: 5, family: 6 }))).filter((m) => m.type === RTM_GETNEIGH);
  t.equal(nl.length, 1);
  // ndmsg: family AF_INET6, every other header field 0; NDA_IFINDEX 3, NDA_MASTER 5
  t.equal(
    nl[0]!.payload.toString('hex'),
    '0a000000' + '00000000' + '00000000' + '0800080003000000' + '0800090005000000',
  );
  const px = (await sent((h) => h.neigh.list({ proxy: true }))).filter((m) => m.type === RTM_GETNEIGH);
  t.equal(px[0]!.payload.toString('hex'), '00000000' + '00000000' + '00000800', 'proxy dump: ndm_flags NTF_PROXY');
  const fd = (await sent((h) => h.fdb.list({ dev: 4, master: 5 }))).filter((m) => m.type === RTM_GETNEIGH);
  // ndmsg: AF_BRIDGE, ndm_ifindex = the port; NDA_MASTER = the bridge
  t.equal(fd[0]!.payload.toString('hex'), '07000000' + '04000000' + '00000000' + '0800090005000000');
});

t.test('decoding a kernel reply: names, cacheinfo, probes, unknown attributes kept out of the entry', (t) => {
  const hdr = Buffer.alloc(12);
  hdr[0] = 2;
  hdr.writeInt32LE(7, 4);
  hdr.writeUInt16LE(0x02, 8); // NUD_REACHABLE
  hdr[10] = 0x80; // NTF_ROUTER
  const ci = Buffer.alloc(16);
  [10, 20, 30, 1].forEach((v, i) => ci.writeUInt32LE(v, i * 4));
  const probes = Buffer.alloc(4);
  probes.writeUInt32LE(2);
  const msg = nlmsg(
    RTM_NEWNEIGH,
    0,
    1,
    Buffer.concat([
      hdr,
      nla(1, Buffer.from([192, 0, 2, 1])),
      nla(2, Buffer.from('0a0b0c0d0e0f', 'hex')),
      nla(3, ci),
      nla(4, probes),
      nla(99, Buffer.from([1, 2, 3, 4])),
    ]),
  );
  t.same(decodeNeigh(msgOf(msg), names({ 7: 'eth7' })), {
    family: 4,
    dev: 'eth7',
    index: 7,
    dst: '192.0.2.1',
    lladdr: '0a:0b:0c:0d:0e:0f',
    state: 'reachable',
    flags: ['router'],
    probes: 2,
    cacheinfo: { confirmed: 10, used: 20, updated: 30, refcnt: 1 },
  });
  t.equal(decodeNeigh(msgOf(msg))?.dev, 'if7', 'an index with no known name reads as ip prints it');
  const bad = Buffer.from(msg);
  bad.writeUInt16LE(200, 16 + 12); // NDA_DST claims 200 bytes
  t.throws(() => decodeNeigh(msgOf(bad)), DecodeError, 'a bad attribute length is a DecodeError');
  t.throws(
    () => decodeNeigh(msgOf(nlmsg(RTM_NEWNEIGH, 0, 1, Buffer.alloc(8)))),
    DecodeError,
    'a short ndmsg is a DecodeError',
  );
  t.end();
});

t.test('bad input: TypeError / RangeError naming the field, nothing sent', async (t) => {
  const { h, fake } = fakeHandle();
  const bad: [string, () => Promise<unknown>, RegExp, ErrorConstructor?][] = [
    // (5 bytes of colon hex are taken, as by ip: the kernel refuses fewer than the device's)
    ['neigh lladdr', () => h.neigh.add({ dev: 3, dst: '10.0.0.2', lladdr: '02-00-00-00-00-02' }), /"lladdr"/],
    ['neigh lladdr quad', () => h.neigh.add({ dev: 3, dst: '10.0.0.2', lladdr: '192.0.2' }), /"lladdr"/],
    ['neigh dst', () => h.neigh.add({ dev: 3, dst: '10.0.0.300', lladdr: '02:00:00:00:00:02' }), /"dst"/],
    ['neigh dst prefix', () => h.neigh.add({ dev: 3, dst: '10.0.0.0/24' }), /"dst"/],
    ['neigh state', () => h.neigh.add({ dev: 3, dst: '10.0.0.2', state: 'bogus' as never }), /"state".*permanent/],
    ['neigh dev', () => h.neigh.add({ dev: 'a/b', dst: '10.0.0.2' }), /"dev"/],
    ['neigh dev long', () => h.neigh.add({ dev: 'x'.repeat(16), dst: '10.0.0.2' }), /"dev"/],
    ['neigh flags', () => h.neigh.add({ dev: 3, dst: '10.0.0.2', flags: ['bogus' as never] }), /"flags"/],
    ['neigh router', () => h.neigh.add({ dev: 3, dst: '10.0.0.2', router: 1 as never }), /"router"/],
    ['neigh protocol', () => h.neigh.add({ dev: 3, dst: '10.0.0.2', protocol: 'nope' }), /"protocol"/],
    ['neigh list state', () => h.neigh.list({ state: ['stale', 'x' as never] }), /"state\[1\]"/],
    ['neigh list family', () => h.neigh.list({ family: 5 as never }), /"family"/],
    ['fdb lladdr', () => h.fdb.add({ dev: 2, lladdr: 'nope' }), /"lladdr"/],
    ['fdb dst', () => h.fdb.append({ dev: 2, lladdr: '00:00:00:00:00:00', dst: '10.0.0' }), /"dst"/],
    ['fdb vni', () => h.fdb.append({ dev: 2, lladdr: '00:00:00:00:00:00', vni: 1 << 24 }), /"vni"/, RangeError],
    ['fdb vlan', () => h.fdb.add({ dev: 2, lladdr: '00:00:00:00:00:01', vlan: 4095 }), /"vlan"/, RangeError],
    ['fdb port', () => h.fdb.add({ dev: 2, lladdr: '00:00:00:00:00:01', port: 1.5 }), /"port"/],
    ['fdb nhid+dst', () => h.fdb.add({ dev: 2, lladdr: '00:00:00:00:00:01', nhid: 1, dst: '10.0.0.1' }), /"nhid"/],
    [
      'fdb two states',
      () => h.fdb.add({ dev: 2, lladdr: '00:00:00:00:00:01', static: true, dynamic: true }),
      /"permanent", "static", "dynamic"/,
    ],
    ['fdb via', () => h.fdb.add({ dev: 2, lladdr: '00:00:00:00:00:01', via: '' }), /"via"/],
    ['fdb list state', () => h.fdb.list({ state: 'gone' as never }), /"state"/],
    // A misspelt field is refused, not ignored (`stat` would have made a permanent entry).
    [
      'neigh add unknown',
      () => h.neigh.add({ dev: 3, dst: '10.0.0.2', lladdr: '02:00:00:00:00:02', stat: 'reachable' } as never),
      /^Unknown field "stat" in the neighbour spec$/,
    ],
    [
      'neigh replace unknown',
      () => h.neigh.replace({ dev: 3, dst: '10.0.0.2', nud: 'stale' } as never),
      /Unknown field "nud" in the neighbour spec/,
    ],
    ['neigh del unknown', () => h.neigh.del({ dev: 3, dst: '10.0.0.2', lla: 'x' } as never), /Unknown field "lla"/],
    [
      'neigh get unknown',
      () => h.neigh.get({ dev: 3, dst: '10.0.0.2', state: 'stale' } as never),
      /Unknown field "state"/,
    ],
    [
      'neigh list unknown',
      () => h.neigh.list({ nud: 'stale' } as never),
      /Unknown field "nud" in the neighbour filter/,
    ],
    [
      'fdb add unknown',
      () => h.fdb.add({ dev: 2, lladdr: '00:00:00:00:00:01', vid: 10 } as never),
      /^Unknown field "vid" in the fdb spec$/,
    ],
    [
      'fdb append unknown',
      () => h.fdb.append({ dev: 2, lladdr: '00:00:00:00:00:00', remote: '10.0.0.2' } as never),
      /Unknown field "remote"/,
    ],
    ['fdb del unknown', () => h.fdb.del({ dev: 2, lladdr: '00:00:00:00:00:01', local: true } as never), /"local"/],
    ['fdb list unknown', () => h.fdb.list({ br: 'br0' } as never), /Unknown field "br" in the fdb filter/],
  ];
  for (const [what, call, re, cls] of bad)
    await t.rejects(call(), cls ?? TypeError, what).then(() => t.rejects(call(), re, what));
  await turn();
  t.equal(fake.sends.length, 0, 'nothing was sent');
  h.close();
});

t.test('fdb.list names ports and masters through the transport where it can: no link dump', async (t) => {
  const names = new Map([
    [2, 'veth1'],
    [5, 'br0'],
  ]);
  const entry = (port: number, mac: string): Buffer => {
    const hdr = Buffer.alloc(12);
    hdr[0] = 7; // AF_BRIDGE
    hdr.writeInt32LE(port, 4);
    hdr.writeUInt16LE(0x80, 8); // NUD_PERMANENT
    hdr[10] = 0x04; // NTF_MASTER
    const master = Buffer.alloc(4);
    master.writeUInt32LE(5);
    return Buffer.concat([hdr, nla(2, Buffer.from(mac, 'hex')), nla(9, master)]); // NDA_LLADDR, NDA_MASTER
  };
  const { h, fake } = fakeHandle();
  const sent: number[] = [];
  fake.onSend = (msgs) =>
    setImmediate(() => {
      for (const m of msgs) {
        sent.push(m.type);
        if (m.type === RTM_GETNEIGH)
          fake.deliver(
            nlmsg(RTM_NEWNEIGH, 2, m.seq, entry(2, '020000000001')),
            nlmsg(RTM_NEWNEIGH, 2, m.seq, entry(7, '020000000002')),
            nlmsg(RTM_NEWNEIGH, 2, m.seq, entry(2, '020000000003')),
            done(m.seq),
          );
        else if (m.type === RTM_GETLINK)
          fake.deliver(...[...names].map(([i, n]) => nlmsg(RTM_NEWLINK, 2, m.seq, linkPayload(i, n))), done(m.seq));
      }
    });
  const asked = fake.readsNames((i) => names.get(i));
  const show = (l: { dev: string; lladdr: string; master?: string }[]): string[] =>
    l.map((e) => `${e.lladdr} ${e.dev} ${e.master ?? '-'}`);
  const want = [
    '02:00:00:00:00:01 veth1 br0',
    '02:00:00:00:00:02 if7 br0', // a port the kernel cannot name: as `bridge fdb` shows it
    '02:00:00:00:00:03 veth1 br0',
  ];
  t.same(show(await h.fdb.list()), want);
  t.same(asked, [2, 5, 7], 'each device read once');
  t.same(sent, [RTM_GETNEIGH], 'the dump is the only request');
  // A transport that cannot read names (ifName unset) gets a link dump first.
  delete fake.ifName;
  t.same(show(await h.fdb.list()), want);
  t.same(sent, [RTM_GETNEIGH, RTM_GETLINK, RTM_GETNEIGH]);
  h.close();
});
