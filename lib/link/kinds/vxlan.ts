// vxlan: IFLA_VXLAN_* and struct ifla_vxlan_port_range (<linux/if_link.h>). One attribute pair
// holds the peer: a multicast address reads back as `group`, a unicast one as `remote`.
import { DecodeError } from '../../core/errors.js';
import { be16, be32, bool8, describe, enumOf, flag, struct, structAttr, u32, u8 } from '../../core/schema.js';
import type { VxlanOptions } from '../../../types/link.js';
import { flagU8, ipEither, linkIndex, omitOnCreate, ranged, structIn } from '../words.js';
import { defineKind, type KindCodec } from './define.js';

/**
 * IFLA_VXLAN_RESERVED_BITS: the bits of the 8-byte VXLAN header (struct vxlanhdr, two big-endian
 * u32) that the device treats as reserved, written as iproute2's `reserved_bits` takes it: a hex
 * number, here always '0x' and 16 digits ('0xf7ffffff000000ff', the kernel's default).
 */
const vxlanHeaderBits: KindCodec<string> = {
  kind: 'struct vxlanhdr (hex)',
  put(w, type, v, field) {
    if (typeof v !== 'string' || !/^0x[0-9a-f]{1,16}$/i.test(v))
      throw new TypeError(
        `Expected "${field}" to be a hex number of at most 64 bits ('0xf7ffffff000000ff'), got ${describe(v)}`,
      );
    w.attrBytes(type, Buffer.from(v.slice(2).padStart(16, '0'), 'hex'));
  },
  get(b, off, len, path) {
    if (len !== 8) throw new DecodeError(`IFLA_VXLAN_RESERVED_BITS has ${len} bytes, not 8`, off, path);
    return '0x' + b.toString('hex', off, off + 8);
  },
};

export const vxlan = defineKind<VxlanOptions>(
  { type: 'vxlan', required: ['id'] },
  {
    id: [1, ranged(u32, 0, 0xffffff)], // IFLA_VXLAN_ID
    group: [2, ipEither(16, 'multicast')], // IFLA_VXLAN_GROUP / IFLA_VXLAN_GROUP6
    remote: [2, ipEither(16, 'unicast')], // IFLA_VXLAN_GROUP / IFLA_VXLAN_GROUP6
    dev: [3, linkIndex], // IFLA_VXLAN_LINK
    local: [4, ipEither(17)], // IFLA_VXLAN_LOCAL / IFLA_VXLAN_LOCAL6
    ttl: [5, u8], // IFLA_VXLAN_TTL
    tos: [6, u8], // IFLA_VXLAN_TOS
    learning: [7, bool8], // IFLA_VXLAN_LEARNING
    ageing: [8, u32], // IFLA_VXLAN_AGEING
    maxaddress: [9, u32], // IFLA_VXLAN_LIMIT
    srcPortRange: [
      10,
      structIn(
        structAttr(
          struct<{ low: number; high: number }>('ifla_vxlan_port_range', 4, { low: [0, 'be16'], high: [2, 'be16'] }),
        ),
        { low: [0, 0xffff], high: [0, 0xffff] },
        true,
      ),
    ], // IFLA_VXLAN_PORT_RANGE (low ≤ high; { low: 0, high: 0 } is the kernel's default, the local port range)
    proxy: [11, bool8], // IFLA_VXLAN_PROXY
    rsc: [12, bool8], // IFLA_VXLAN_RSC
    l2miss: [13, bool8], // IFLA_VXLAN_L2MISS
    l3miss: [14, bool8], // IFLA_VXLAN_L3MISS
    port: [15, be16], // IFLA_VXLAN_PORT (network byte order)
    udpCsum: [18, bool8], // IFLA_VXLAN_UDP_CSUM
    udpZeroCsum6Tx: [19, bool8], // IFLA_VXLAN_UDP_ZERO_CSUM6_TX
    udpZeroCsum6Rx: [20, bool8], // IFLA_VXLAN_UDP_ZERO_CSUM6_RX
    remcsumTx: [21, bool8], // IFLA_VXLAN_REMCSUM_TX
    // left out when false: the kernel counts the remote-checksum header bits as used whenever the
    // attribute is present (even 0), so a clone of a read link would clash with its reservedBits
    remcsumRx: [22, omitOnCreate(bool8, false)], // IFLA_VXLAN_REMCSUM_RX
    gbp: [23, flag], // IFLA_VXLAN_GBP
    remcsumNopartial: [24, flag], // IFLA_VXLAN_REMCSUM_NOPARTIAL
    external: [25, bool8], // IFLA_VXLAN_COLLECT_METADATA
    flowlabel: [26, ranged(be32, 0, 0xfffff)], // IFLA_VXLAN_LABEL (network byte order; 20 bits, the kernel masks the rest)
    gpe: [27, flag], // IFLA_VXLAN_GPE
    ttlInherit: [28, flagU8], // IFLA_VXLAN_TTL_INHERIT (a flag in, a u8 out)
    df: [29, enumOf(u8, { unset: 0, set: 1, inherit: 2 })], // IFLA_VXLAN_DF
    vnifilter: [30, bool8], // IFLA_VXLAN_VNIFILTER
    // Linux 6.8+ (31, 32) and 6.14+ (33), after the installed headers' last (IFLA_VXLAN_VNIFILTER =
    // 30); numbers from upstream include/uapi/linux/if_link.h. Older kernels ignore them.
    localbypass: [31, omitOnCreate(bool8, true)], // IFLA_VXLAN_LOCALBYPASS
    labelPolicy: [32, omitOnCreate(enumOf(u32, { fixed: 0, inherit: 1 }), 'fixed')], // IFLA_VXLAN_LABEL_POLICY
    reservedBits: [33, vxlanHeaderBits], // IFLA_VXLAN_RESERVED_BITS
  },
);
