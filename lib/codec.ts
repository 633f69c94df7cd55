// rtnetlink/codec: the wire codec, for messages this package does not model.
export * from './core/constants.js';
export * from './core/attr.js';
export * from './core/schema.js';
export * from './core/nlmsg.js';
export * from './core/inet.js';
export { NetlinkError, DecodeError } from './core/errors.js';
export { ifinfomsg, ifla } from './link/ifla.js';
export { decodeLink } from './link/link.js';
export { linkinfoRaw, commonSpec } from './link/ifla.js';
export { KINDS, TYPES, type KindDef } from './link/kinds/index.js';
export { KindSchema, defineKind, type KindCodec, type KindRows } from './link/kinds/define.js';
export { ndmsg, ndaNeigh, ndaFdb, decodeNeigh, decodeFdb } from './neigh.js';
export { fibRuleHdr, fra, decodeRule } from './rule.js';
export { rtmsg, rta, rtax, rtnhAttrs, multipath, rtvia } from './route/schema.js';
export { decodeRoute } from './route/decode.js';
export { ifaddrmsg, ifa, decodeAddr } from './addr.js';
export { nhmsg, nha, nhaResGroup, decodeNexthop } from './nexthop.js';
export { netconfa, decodeNetconf, decodeNsid } from './monitor-kinds.js';
