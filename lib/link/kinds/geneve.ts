// geneve: IFLA_GENEVE_* and GENEVE_DF_* (<linux/if_link.h>).
import { be16, be32, bool8, enumOf, flag, u32, u8 } from '../../core/schema.js';
import type { GeneveOptions } from '../../../types/link.js';
import { ipEither, omittedBeside, ranged } from '../words.js';
import { defineKind } from './define.js';

export const geneve = defineKind<GeneveOptions>(
  { type: 'geneve', required: ['id'] },
  {
    id: [1, ranged(u32, 0, 0xffffff)], // IFLA_GENEVE_ID
    remote: [2, ipEither(7)], // IFLA_GENEVE_REMOTE / IFLA_GENEVE_REMOTE6
    ttl: [3, u8], // IFLA_GENEVE_TTL
    tos: [4, u8], // IFLA_GENEVE_TOS
    port: [5, be16], // IFLA_GENEVE_PORT (network byte order)
    external: [6, flag], // IFLA_GENEVE_COLLECT_METADATA
    udpCsum: [8, bool8], // IFLA_GENEVE_UDP_CSUM
    udpZeroCsum6Tx: [9, bool8], // IFLA_GENEVE_UDP_ZERO_CSUM6_TX
    udpZeroCsum6Rx: [10, bool8], // IFLA_GENEVE_UDP_ZERO_CSUM6_RX
    flowlabel: [11, ranged(be32, 0, 0xfffff)], // IFLA_GENEVE_LABEL (network byte order; 20 bits, the kernel masks the rest)
    // IFLA_GENEVE_TTL_INHERIT: where present (even 0), geneve_nl2info skips IFLA_GENEVE_TTL, whose
    // presence alone clears ttl_inherit; false beside a ttl is not sent, or that ttl would be lost
    ttlInherit: [12, omittedBeside(bool8, false, 'ttl')],
    df: [13, enumOf(u8, { unset: 0, set: 1, inherit: 2 })], // IFLA_GENEVE_DF
    innerProtoInherit: [14, flag], // IFLA_GENEVE_INNER_PROTO_INHERIT
  },
);
