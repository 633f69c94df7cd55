// How link calls word the kernel's answers: the hints added to a NetlinkError (a missing driver, a
// link that is no port, a bridge without VLAN filtering, a tunnel's address given to link.set).
import { constants as osConstants } from 'node:os';
import { NetlinkError, type Extack } from '../core/errors.js';
import type { Link } from '../../types/link.js';
import { NO_VLAN_FILTERING } from './kinds/bridge.js';
import type { PortParts } from './spec.js';

const { EINVAL, EOPNOTSUPP } = osConstants.errno;

/** A field the kernel took without an error and ignored (a bridge's VLAN fields, see ignoredVlanField). */
export function unheeded(subject: string, field: string, outcome: string): NetlinkError {
  return new NetlinkError({
    errno: EOPNOTSUPP,
    op: 'RTM_NEWLINK',
    subject,
    field,
    hint: `${NO_VLAN_FILTERING}: it ignores "${field}"; ${outcome}`,
  });
}

/** ctx.hint for link.add: which driver an EOPNOTSUPP "Unknown device type" is missing. */
export function missingDriver(kind: string): (errno: number, extack: Extack | undefined) => string | undefined {
  return (errno, extack) =>
    errno === EOPNOTSUPP && /unknown device type/i.test(extack?.message ?? '')
      ? `this kernel has no '${kind}' driver`
      : undefined;
}

/**
 * ctx.hint for a request with port options: the kernel answers EOPNOTSUPP, without an extended
 * ACK, when the link has no master to take them.
 */
export function notAPort(port: PortParts, link: Link | undefined): (errno: number) => string | undefined {
  const { field, slaveKind } = port.def;
  return (errno) =>
    errno === EOPNOTSUPP && link?.master === undefined
      ? `"${field}" needs a port of a ${slaveKind}, and ${link?.name ?? 'the link'} has no master`
      : undefined;
}

/**
 * ctx.hint for link.set with a dotted quad as `address` (4 bytes), which the kernel refuses without
 * an extended ACK: EINVAL where the link's address is longer (a MAC; `ip link set` says "Invalid
 * address length 4 - must be 6 bytes" before sending), EOPNOTSUPP from a driver that sets no
 * address (an IP tunnel's is its `local` one).
 */
export function tunnelAddress(address: unknown): (errno: number, extack: Extack | undefined) => string | undefined {
  const quad = typeof address === 'string' && address.includes('.');
  return (errno, extack) => {
    if (!quad || extack?.message) return undefined;
    if (errno === EINVAL)
      return `"address" ${address} is 4 bytes (an IPv4 tunnel's address), shorter than the link's (a MAC has 6)`;
    if (errno === EOPNOTSUPP)
      return `the link's driver sets no "address" (an IP tunnel's is its local address, given when it is made)`;
    return undefined;
  };
}
