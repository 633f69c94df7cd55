// The core codec on byte fixtures (lib/core/attr.ts, schema.ts, nlmsg.ts, inet.ts): every
// attribute word, nesting, strings, addresses, unknown attributes, nlmsghdr framing, NLMSG_ERROR /
// NLMSG_DONE with extended ACKs, and malformed bytes, which must give DecodeError and nothing else.
import t from 'tap';
import { forEachAttr, attrTable, LITTLE_ENDIAN, NlWriter, rds32, wr16, wr32 } from '../../lib/core/attr.js';
import { NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_ERROR, RTM_NEWLINK } from '../../lib/core/constants.js';
import { DecodeError } from '../../lib/core/errors.js';
import { formatIPv4, formatIPv6, formatMac, parseIPv4, parseIPv6, parseMac, parsePrefix } from '../../lib/core/inet.js';
import { dumpRunEnd, forEachMessage, parseDone, parseError, type NlMsg } from '../../lib/core/nlmsg.js';
import {
  be16,
  be32,
  binary,
  bool8,
  defineAttrs,
  enumOf,
  flag,
  flagsOf,
  ip,
  ipv4,
  ipv6,
  mac,
  nest,
  nestedList,
  s32,
  string,
  struct,
  structAttr,
  u16,
  u32,
  u64,
  u64n,
  u8,
} from '../../lib/core/schema.js';
import { decodeLink } from '../../lib/link/link.js';
import { ack, cstr, done, linkPayload, nla, nlmsg, u32le } from '../helpers/fake-transport.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex');

interface Inner {
  id: number;
  name: string;
}
const inner = defineAttrs<Inner>('INNER', { id: [1, u32], name: [2, string] });
const pair = struct<{ lo: number; hi: number }>('pair', 8, { lo: [0, 'u32'], hi: [4, 'be32'] });

interface All {
  a: number;
  b: number;
  c: number;
  d: number;
  e: bigint;
  f: number;
  g: number;
  h: boolean;
  s: string;
  v4: string;
  v6: string;
  mac: string;
  mode: 'private' | 'vepa' | 'bridge';
  fl: Array<'up' | 'x'>;
  n: Partial<Inner>;
  list: number[];
  bin: Buffer;
  b8: boolean;
  n64: number;
  any: string;
  st: { lo: number; hi: number };
}
const all = defineAttrs<All>('ALL', {
  a: [1, u8],
  b: [2, u16],
  c: [3, u32],
  d: [4, s32],
  e: [5, u64],
  f: [6, be16],
  g: [7, be32],
  h: [8, flag],
  s: [9, string],
  v4: [10, ipv4],
  v6: [11, ipv6],
  mac: [12, mac],
  mode: [13, enumOf(u8, { private: 1, vepa: 2, bridge: 4 })],
  fl: [14, flagsOf(u32, { up: 1, x: 4 })],
  n: [15, nest(inner)],
  list: [16, nestedList(u32)],
  bin: [17, binary],
  b8: [18, bool8],
  n64: [19, u64n],
  any: [20, ip],
  st: [21, structAttr(pair)],
});

const value: All = {
  a: 7,
  b: 0x1234,
  c: 0xdeadbeef,
  d: -2,
  e: 0x0102030405060708n,
  f: 4789,
  g: 0x0a000001,
  h: true,
  s: 'eth0',
  v4: '10.1.2.3',
  v6: 'fe80::1',
  mac: 'aa:bb:cc:dd:ee:ff',
  mode: 'bridge',
  fl: ['up', 'x'],
  n: { id: 42, name: 'x' },
  list: [1, 2],
  bin: Buffer.from([1, 2, 3]),
  b8: true,
  n64: 2 ** 40 + 5,
  any: '2001:db8::7',
  st: { lo: 1, hi: 0x01020304 },
};

// Written by hand from <linux/netlink.h>'s layout: nla_len, nla_type (host order), payload, pad to 4.
const bytes = hex(`
  05 00 01 00 07 00 00 00                      # a u8 7
  06 00 02 00 34 12 00 00                      # b u16 0x1234
  08 00 03 00 ef be ad de                      # c u32
  08 00 04 00 fe ff ff ff                      # d s32 -2
  0c 00 05 00 08 07 06 05 04 03 02 01          # e u64
  06 00 06 00 12 b5 00 00                      # f be16 4789
  08 00 07 00 0a 00 00 01                      # g be32
  04 00 08 00                                  # h flag
  09 00 09 00 65 74 68 30 00 00 00 00          # s "eth0\\0"
  08 00 0a 00 0a 01 02 03                      # v4
  14 00 0b 00 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01   # v6
  0a 00 0c 00 aa bb cc dd ee ff 00 00          # mac
  05 00 0d 00 04 00 00 00                      # mode bridge = 4
  08 00 0e 00 05 00 00 00                      # fl up|x
  14 00 0f 80 08 00 01 00 2a 00 00 00 06 00 02 00 78 00 00 00    # n NLA_F_NESTED { id 42, name "x" }
  14 00 10 80 08 00 01 00 01 00 00 00 08 00 02 00 02 00 00 00    # list [1, 2] as types 1, 2
  07 00 11 00 01 02 03 00                      # bin
  05 00 12 00 01 00 00 00                      # b8
  0c 00 13 00 05 00 00 00 00 01 00 00          # n64 2^40 + 5
  14 00 14 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 07    # any (ip, 16 bytes)
  0c 00 15 00 01 00 00 00 01 02 03 04          # st { lo u32, hi be32 }
`);

function encode(fn: (w: NlWriter) => void): Buffer {
  const w = new NlWriter(16);
  fn(w);
  return w.take();
}

t.test('every attribute word: decode(fixture), encode(value), and the round trip', async (t) => {
  t.same(all.decode(bytes, 0, bytes.length), value, 'decode(fixture) equals the hand-written value');
  t.same(
    encode((w) => all.encode(w, value)).toString('hex'),
    bytes.toString('hex'),
    'encode(value) equals the fixture',
  );
  t.same(
    all.decode(
      encode((w) => all.encode(w, value)),
      0,
      bytes.length,
    ),
    value,
    'round trip',
  );
  // Decoding from inside a larger buffer (an offset, and an end before the buffer's end).
  const framed = Buffer.concat([Buffer.alloc(12, 0xee), bytes, Buffer.alloc(8, 0xee)]);
  t.same(all.decode(framed, 12, 12 + bytes.length), value);
});

t.test(
  'unknown attributes are kept with their type bits as received (NLA_F_NESTED, NLA_F_NET_BYTEORDER) and re-emitted as they came',
  async (t) => {
    const extra = Buffer.concat([
      nla(99, Buffer.from([9, 8, 7])),
      nla(1, Buffer.from([5])),
      nla(0x4000 | 98, u32le(1)),
      nla(0x8000 | 97, nla(1, u32le(2))),
    ]);
    const d = all.decode(extra, 0, extra.length);
    t.same(d, {
      a: 5,
      unknown: [
        { type: 99, data: Buffer.from([9, 8, 7]) },
        { type: 0x4000 | 98, data: u32le(1) },
        { type: 0x8000 | 97, data: nla(1, u32le(2)) },
      ],
    });
    const again = encode((w) => all.encode(w, d));
    t.same(all.decode(again, 0, again.length), d);
    t.equal(
      again.subarray(8).toString('hex'),
      Buffer.concat([
        nla(99, Buffer.from([9, 8, 7])),
        nla(0x4000 | 98, u32le(1)),
        nla(0x8000 | 97, nla(1, u32le(2))),
      ]).toString('hex'),
    );
  },
);

t.test('a string or binary value too long for one attribute is a RangeError naming the field', async (t) => {
  const long = defineAttrs<{ s: string; b: Buffer }>('long', { s: [1, string], b: [2, binary] });
  t.throws(() => encode((w) => long.encode(w, { s: 'x'.repeat(70000) })), { name: 'RangeError', message: /"s"/ });
  t.throws(() => encode((w) => long.encode(w, { b: Buffer.alloc(70000) })), { name: 'RangeError', message: /"b"/ });
  t.doesNotThrow(() => encode((w) => long.encode(w, { s: 'x'.repeat(65530) })));
});

t.test('strings: NUL-terminated on the wire; decode stops at the first NUL or the end; UTF-8', async (t) => {
  const s = defineAttrs<{ s: string }>('S', { s: [1, string] });
  const dec = (payload: Buffer): string | undefined => {
    const b = nla(1, payload);
    return s.decode(b, 0, b.length).s;
  };
  t.equal(dec(Buffer.from('vx0')), 'vx0', 'no NUL (iproute2 6.5 sent IFLA_INFO_KIND so)');
  t.equal(dec(Buffer.from('ab\0cd\0')), 'ab', 'stops at the first NUL');
  t.equal(dec(Buffer.alloc(0)), '', 'empty payload');
  t.equal(dec(cstr('grün')), 'grün');
  t.same(
    encode((w) => s.encode(w, { s: 'grün' })),
    nla(1, cstr('grün')),
  );
  t.throws(() => encode((w) => s.encode(w, { s: 'a\0b' })), { name: 'TypeError', message: /"s"/ });
  t.throws(() => encode((w) => s.encode(w, { s: 5 as unknown as string })), { name: 'TypeError', message: /"s"/ });
  t.throws(
    () => encode((w) => s.encode(w, { s: 'x'.repeat(70000) })),
    RangeError,
    'over 64 KiB does not fit an attribute',
  );
});

t.test('addresses: text forms, wrong lengths, bad text', async (t) => {
  t.equal(
    formatIPv6(parseIPv6('2001:DB8:0:0:1:0:0:1')!),
    '2001:db8::1:0:0:1',
    'longest zero run compressed, lowercase',
  );
  t.equal(formatIPv6(parseIPv6('::ffff:10.0.0.1')!), '::ffff:10.0.0.1');
  t.equal(formatIPv6(parseIPv6('::')!), '::');
  t.equal(formatIPv6(parseIPv6('fe80::1%eth0')!), 'fe80::1', 'a zone is dropped');
  t.equal(parseIPv6('1::2::3'), undefined);
  t.equal(parseIPv4('10.0.0.256'), undefined);
  t.equal(parseIPv4('010.0.0.1'), undefined, 'no octal-looking octets');
  t.equal(parseMac('aa:bb:cc:dd:ee'), undefined);
  t.equal(parseMac('aa-bb-cc-dd-ee-ff'), undefined);
  t.equal(formatMac(Buffer.from([0, 1, 0xab]), 0, 3), '00:01:ab', 'any length reads');
  t.same(parsePrefix('10.0.0.0/24'), { family: 4, bytes: Buffer.from([10, 0, 0, 0]), prefixlen: 24 });
  t.equal(parsePrefix('10.0.0.0/33'), undefined);
  t.equal(parsePrefix('::/129'), undefined);
  t.equal(parsePrefix('10.0.0.0/-1'), undefined);
  const a = defineAttrs<{ v4: string; v6: string; any: string; mac: string }>('A', {
    v4: [1, ipv4],
    v6: [2, ipv6],
    any: [3, ip],
    mac: [4, mac],
  });
  for (const [field, payload] of [
    ['v4', Buffer.alloc(3)],
    ['v4', Buffer.alloc(16)],
    ['v6', Buffer.alloc(4)],
    ['any', Buffer.alloc(5)],
  ] as const) {
    const b = nla(a.row(field)!.type, payload);
    t.throws(() => a.decode(b, 0, b.length), DecodeError, `${field} of ${payload.length} bytes`);
  }
  for (const [field, v] of [
    ['v4', '1.2.3'],
    ['v4', 'fe80::1'],
    ['v6', '10.0.0.1'],
    ['any', 'nope'],
    ['mac', 'aa:bb'],
    ['mac', 7],
  ] as const) {
    t.throws(
      () => encode((w) => a.encode(w, { [field]: v })),
      { name: 'TypeError', message: new RegExp(`"${field}"`) },
      `${field} = ${String(v)}`,
    );
  }
  t.equal(formatIPv4(Buffer.from([192, 168, 1, 60])), '192.168.1.60');
});

t.test('integers: range and type checks name the field; short payloads are DecodeErrors', async (t) => {
  const bad: Array<[keyof All, unknown, string]> = [
    ['a', 256, 'RangeError'],
    ['a', -1, 'RangeError'],
    ['a', 1.5, 'TypeError'],
    ['a', NaN, 'TypeError'],
    ['a', '1', 'TypeError'],
    ['b', 65536, 'RangeError'],
    ['c', 2 ** 32, 'RangeError'],
    ['d', 2 ** 31, 'RangeError'],
    ['e', 1, 'TypeError'],
    ['e', -1n, 'TypeError'],
    ['f', 65536, 'RangeError'],
    ['g', Infinity, 'TypeError'],
    ['h', 1, 'TypeError'],
    ['mode', 'nope', 'TypeError'],
    ['fl', ['up', 'nope'], 'TypeError'],
    ['fl', 'up', 'TypeError'],
    ['n', 5, 'TypeError'],
    ['list', {}, 'TypeError'],
    ['bin', 'abc', 'TypeError'],
    ['b8', 0, 'TypeError'],
    ['n64', 2 ** 53, 'RangeError'],
    ['st', null, 'TypeError'],
  ];
  for (const [field, v, name] of bad) {
    t.throws(
      () => encode((w) => all.encode(w, { [field]: v } as Partial<All>)),
      { name, message: new RegExp(`"${field}`) },
      `${field} = ${String(v)}`,
    );
  }
  t.throws(
    () => encode((w) => all.encode(w, { n: { id: -1 } })),
    { name: 'RangeError', message: /"n\.id"/ },
    'nested fields are named with their path',
  );
  t.throws(() => encode((w) => all.encode(w, { list: [1, -1] })), { name: 'RangeError', message: /"list\[1\]"/ });
  t.throws(() => encode((w) => all.encode(w, { st: { lo: 1, hi: -1 } })), { name: 'RangeError', message: /"st\.hi"/ });
  for (const [type, size] of [
    [1, 0],
    [2, 1],
    [3, 3],
    [4, 2],
    [5, 7],
    [6, 1],
    [7, 3],
    [18, 0],
    [19, 4],
    [21, 7],
  ] as const) {
    const b = nla(type, Buffer.alloc(size));
    t.throws(() => all.decode(b, 0, b.length), DecodeError, `${all.fieldOf(type)} with ${size} bytes`);
  }
  t.same(all.decode(nla(13, Buffer.from([9])), 0, 8), { mode: '9' }, 'an unnamed enum value decodes as its number');
  t.same(
    encode((w) => all.encode(w, { mode: '9' as All['mode'] })),
    nla(13, Buffer.from([9])),
    'and encodes back',
  );
  t.same(all.decode(nla(14, u32le(0x80000005)), 0, 8), { fl: ['up', 'x', '0x80000000'] }, 'unnamed bits as 0x…');
});

t.test('malformed attribute streams are DecodeErrors with a path, never RangeErrors or loops', async (t) => {
  const cases: Array<[string, Buffer]> = [
    ['length under 4', hex('02 00 01 00')],
    ['length 0', hex('00 00 01 00 00 00 00 00')],
    ['length past the end', hex('09 00 01 00 07 00 00 00')],
    ['length 0xffff', hex('ff ff 09 00 41 41 41 41')],
    ['stray bytes after the last attribute', hex('05 00 01 00 07 00 00 00 01 00')],
    ['nested table with a bad inner length', hex('0c 00 0f 80 09 00 01 00 2a 00 00 00')],
    ['nested list with a bad item', hex('0c 00 10 80 08 00 01 00 01 00')],
    ['nested list with stray bytes', hex('0a 00 10 80 08 00 01 00 01 00 00 00 ff ff')],
  ];
  for (const [name, b] of cases) {
    const err = (() => {
      try {
        all.decode(b, 0, b.length);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    t.type(err, DecodeError, name);
    if (name.startsWith('nested'))
      t.ok(
        (err as DecodeError).path.length > 0,
        `${name}: the error has a path (${(err as DecodeError).path.join('/')})`,
      );
  }
  t.throws(() => all.decode(Buffer.alloc(8), 0, 12), DecodeError, 'an end past the buffer');
  t.throws(() => forEachAttr(Buffer.alloc(8), 0, 12, () => undefined), DecodeError);
  t.same(
    attrTable(bytes, 0, bytes.length)[9],
    [bytes.indexOf(Buffer.from('eth0')), 5],
    'attrTable gives payload offset and length',
  );
  t.same(all.decode(Buffer.alloc(0), 0, 0), {}, 'no attributes');
});

t.test('nlmsghdr framing: several messages with padding; bad lengths are DecodeErrors', async (t) => {
  const chunk = Buffer.concat([nlmsg(RTM_NEWLINK, 2, 5, Buffer.from([1, 2, 3])), nlmsg(3, 2, 5, Buffer.alloc(4))]);
  const seen: Array<Omit<NlMsg, 'buf'>> = [];
  forEachMessage(chunk, ({ buf: _b, ...m }) => seen.push(m));
  t.same(seen, [
    { type: RTM_NEWLINK, flags: 2, seq: 5, pid: 0, start: 0, off: 16, end: 19 },
    { type: 3, flags: 2, seq: 5, pid: 0, start: 20, off: 36, end: 40 },
  ]);
  const bad: Array<[string, Buffer]> = [
    ['under a header', Buffer.alloc(15)],
    ['length 0', Buffer.alloc(16)],
    [
      'length 15',
      (() => {
        const b = nlmsg(16, 0, 1);
        b.writeUInt32LE(15, 0);
        return b;
      })(),
    ],
    [
      'length past the chunk',
      (() => {
        const b = nlmsg(16, 0, 1);
        b.writeUInt32LE(17, 0);
        return b;
      })(),
    ],
    [
      'length 0xffffffff',
      (() => {
        const b = nlmsg(16, 0, 1);
        b.writeUInt32LE(0xffffffff, 0);
        return b;
      })(),
    ],
    ['a second message cut short', Buffer.concat([nlmsg(16, 0, 1), Buffer.alloc(8, 1)])],
  ];
  for (const [name, b] of bad) t.throws(() => forEachMessage(b, () => undefined), DecodeError, name);

  // A dump's run: its own object messages, up to the first that is not one; lengths checked alike.
  const count = new Int32Array(1);
  const obj = (seq: number, flags = 2, n = 4): Buffer => nlmsg(RTM_NEWLINK, flags, seq, Buffer.alloc(n, 7));
  const run = (b: Buffer): [number, number] => [dumpRunEnd(b, 0, 5, count), count[0]!];
  t.same(run(Buffer.concat([obj(5), obj(5), obj(6)])), [40, 2], "another request's message ends it");
  t.same(run(Buffer.concat([obj(5), nlmsg(3, 2, 5, Buffer.alloc(4)), obj(5)])), [20, 1], 'NLMSG_DONE ends it');
  t.same(run(Buffer.concat([obj(5), obj(5, 2 | 0x10)])), [20, 1], 'NLM_F_DUMP_INTR ends it');
  t.same(run(Buffer.concat([obj(5), obj(5, 2, 3)]).subarray(0, 39)), [39, 2], "the end is at most the chunk's");
  t.same(run(Buffer.concat([obj(5), Buffer.alloc(8, 1)])), [20, 1], 'bytes short of a header end it (for the caller)');
  for (const [name, b] of bad.slice(0, -1)) t.throws(() => dumpRunEnd(b, 0, 1, count), DecodeError, name);
  const second = Buffer.concat([obj(1), nlmsg(16, 0, 1)]);
  second.writeUInt32LE(15, 20);
  t.throws(() => dumpRunEnd(second, 0, 1, count), DecodeError, 'a bad length further on');
});

t.test('NLMSG_ERROR and NLMSG_DONE: capped and echoed requests, extended-ACK TLVs, short payloads', async (t) => {
  const one = (b: Buffer): NlMsg => {
    let m: NlMsg | undefined;
    forEachMessage(b, (x) => (m = x));
    return m!;
  };
  t.same(parseError(one(ack(9))), { error: 0, extack: undefined }, 'a plain ACK');
  t.same(parseError(one(ack(9, -17, { msg: 'exists', offset: 36 }))), {
    error: -17,
    extack: { message: 'exists', offset: 36 },
  });
  const req = nlmsg(RTM_NEWLINK, 0x605, 9, linkPayload(0, 'x0'));
  t.same(
    parseError(one(ack(9, -22, { msg: 'after echo', echo: req }))),
    { error: -22, extack: { message: 'after echo' } },
    'TLVs after an echoed request',
  );
  const missing = nlmsg(
    NLMSG_ERROR,
    NLM_F_CAPPED | NLM_F_ACK_TLVS,
    9,
    Buffer.concat([Buffer.from([0xea, 0xff, 0xff, 0xff]), Buffer.alloc(16), nla(5, u32le(3))]),
  );
  t.same(parseError(one(missing)), { error: -22, extack: { missingType: 3 } }, 'NLMSGERR_ATTR_MISS_TYPE');
  // An echo whose length field lies: no crash, no read past the message.
  const liar = ack(9, -22, { echo: req });
  liar.writeUInt32LE(0xfffffff0, 20);
  t.doesNotThrow(() => parseError(one(liar)));
  const liar2 = ack(9, -22, { msg: 'x', echo: req });
  liar2.writeUInt32LE(4, 20);
  t.throws(
    () => parseError(one(liar2)),
    DecodeError,
    'an echo length that lands TLV parsing inside the echo gives DecodeError at worst',
  );
  t.throws(
    () => parseError(one(nlmsg(NLMSG_ERROR, 0, 9, Buffer.alloc(19)))),
    DecodeError,
    'shorter than struct nlmsgerr',
  );
  t.same(parseDone(one(done(9))), { error: 0, extack: undefined });
  t.same(parseDone(one(done(9, 0, -16))), { error: -16, extack: undefined });
  t.same(parseDone(one(nlmsg(3, 2, 9))), { error: 0, extack: undefined }, 'a DONE without its int');
  const doneExt = nlmsg(
    3,
    2 | NLM_F_ACK_TLVS,
    9,
    Buffer.concat([Buffer.from([0xea, 0xff, 0xff, 0xff]), nla(1, cstr('bad filter'))]),
  );
  t.same(parseDone(one(doneExt)), { error: -22, extack: { message: 'bad filter' } });
  const doneBad = nlmsg(
    3,
    2 | NLM_F_ACK_TLVS,
    9,
    Buffer.concat([Buffer.from([0xea, 0xff, 0xff, 0xff]), hex('ff 00 01 00')]),
  );
  t.throws(() => parseDone(one(doneBad)), DecodeError);
});

t.test('decodeLink on a hand-built RTM_NEWLINK; truncated ones are DecodeErrors', async (t) => {
  const hdr = hex('00 00 01 00 07 00 00 00 03 10 01 00 00 00 00 00'); // family 0, type 1 (ether), index 7, flags UP|BROADCAST|MULTICAST|LOWER_UP
  const attrs = Buffer.concat([
    nla(3, cstr('br0')),
    nla(4, u32le(1500)),
    nla(1, hex('02 00 00 00 00 01')),
    nla(16, Buffer.from([6])),
    nla(18 | 0x8000, nla(1, cstr('bridge'))),
    nla(10, u32le(3)),
  ]);
  const msg = nlmsg(RTM_NEWLINK, 0, 1, Buffer.concat([hdr, attrs]));
  let m: NlMsg | undefined;
  forEachMessage(msg, (x) => (m = x));
  const l = decodeLink(m!);
  t.match(l, {
    name: 'br0',
    index: 7,
    mtu: 1500,
    address: '02:00:00:00:00:01',
    operstate: 'up',
    up: true,
    master: 3,
    linkType: 1,
  });
  t.same(l.flags, ['UP', 'BROADCAST', 'MULTICAST', 'LOWER_UP']);
  t.ok((l.type as string) === 'bridge' || l.type === 'other', `kind decoded (${l.type})`);
  for (const cut of [4, 15, 16 + 3, 16 + 7]) {
    const short = nlmsg(RTM_NEWLINK, 0, 1, Buffer.concat([hdr, attrs]).subarray(0, cut));
    forEachMessage(short, (x) => (m = x));
    t.throws(() => decodeLink(m!), DecodeError, `cut at ${cut}`);
  }
});

t.test('NlWriter: message framing and patching', async (t) => {
  const b = encode((w) => {
    const s = w.beginMessage(RTM_NEWLINK, 5, 77, 0);
    w.u32(1);
    const n = w.beginNest(18);
    w.attrString(1, 'veth');
    w.endNest(n);
    w.endMessage(s);
  });
  t.equal(b.length, 16 + 4 + 4 + 12);
  t.equal(b.readUInt32LE(0), b.length);
  t.equal(b.readUInt16LE(20), 16, 'nest length');
  t.equal(b.readUInt16LE(22), 18 | 0x8000, 'NLA_F_NESTED');
});

t.test('NlWriter: an odd-length body is padded with zeros, and nlmsg_len counts the padding', async (t) => {
  const w = new NlWriter(64);
  w.buf.fill(0xee);
  const s = w.beginMessage(RTM_NEWLINK, 1, 2, 3);
  w.u8(7);
  w.u8(8);
  w.u8(9);
  w.endMessage(s);
  const b = w.take();
  t.equal(b.length, 20);
  t.equal(b.readUInt32LE(0), 20);
  t.same([...b.subarray(16)], [7, 8, 9, 0]);
});

t.test('wr16 / wr32 / rds32 store and load exactly as Buffer does in host byte order', async (t) => {
  const values = [0, 1, 0xff, 0x100, 0x1234, 0xffff, 0x12345678, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
  for (const v of values) {
    const ours = Buffer.alloc(6);
    const theirs = Buffer.alloc(6);
    wr32(ours, 1, v);
    if (LITTLE_ENDIAN) theirs.writeUInt32LE(v, 1);
    else theirs.writeUInt32BE(v, 1);
    t.same(ours, theirs, `wr32 ${v}`);
    t.equal(rds32(ours, 1), LITTLE_ENDIAN ? theirs.readInt32LE(1) : theirs.readInt32BE(1), `rds32 ${v}`);
    const ours16 = Buffer.alloc(4);
    const theirs16 = Buffer.alloc(4);
    wr16(ours16, 1, v & 0xffff);
    if (LITTLE_ENDIAN) theirs16.writeUInt16LE(v & 0xffff, 1);
    else theirs16.writeUInt16BE(v & 0xffff, 1);
    t.same(ours16, theirs16, `wr16 ${v & 0xffff}`);
  }
  // A negative errno as the kernel writes it (s32), and wr32 taking v modulo 2^32 as `v >>> 0` does.
  const e = Buffer.alloc(4);
  wr32(e, 0, -17);
  t.equal(rds32(e, 0), -17);
  t.same(e, Buffer.from(LITTLE_ENDIAN ? [0xef, 0xff, 0xff, 0xff] : [0xff, 0xff, 0xff, 0xef]));
});
