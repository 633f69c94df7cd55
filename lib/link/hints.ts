// How link calls word the kernel's answers: the hints added to a NetlinkError (a missing driver, a
// link that is no port, a bridge without VLAN filtering).
import { constants as osConstants } from 'node:os';
import { NetlinkError, type Extack } from '../core/errors.js';
import type { Link } from '../../types/link.js';
import { NO_VLAN_FILTERING } from './kinds/bridge.js';
import type { PortParts } from './spec.js';

const { EOPNOTSUPP } = osConstants.errno;

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
