// A link as a port of its master: its port options (IFLA_INFO_SLAVE_DATA, `ip link set dev X type
// bridge_slave …`), checked against the master's kind before they are sent, and a bond's rule that
// a port is enslaved while down.
import type { Handle } from '../handle.js';
import { RTM_NEWLINK } from '../core/constants.js';
import { checkCallOptions, type CallOptions } from '../core/validate.js';
import type { Link } from '../../types/link.js';
import { TYPES } from './kinds/index.js';
import { readLink, setLinkUp } from './lookup.js';
import { splitChange, writeLink, type Fields, type Parts, type PortParts } from './spec.js';

/**
 * Port options are only sent for a link whose master is of the port table's kind: IFLA_INFO_SLAVE_DATA
 * is read by the master's own table, so a bond port would take IFLA_BRPORT_* numbers as bond
 * options. `to` is the master a change enslaves to (an index), or the link as read (whose master,
 * if any, has a port field of that kind). A link without a master is left to the kernel
 * (EOPNOTSUPP, worded by notAPort).
 */
export async function checkPort(
  h: Handle,
  port: PortParts,
  to: unknown,
  subject: string,
  opts?: CallOptions,
): Promise<void> {
  const { field, slaveKind } = port.def;
  if (to === 0) throw new TypeError(`Expected no "${field}" with "master: null" (the link is no longer a port)`);
  if (typeof to === 'number') {
    const m = await readLink(h, to, opts, subject);
    if (TYPES.get(m.type)?.kind !== slaveKind)
      throw new TypeError(`Expected "master" to be a ${slaveKind} with "${field}", got ${m.name} (type ${m.type})`);
    return;
  }
  const link = to as Link | undefined;
  if (link?.master !== undefined && (link as unknown as Fields)[field] === undefined)
    throw new TypeError(
      `Expected "${field}" only on a port of a ${slaveKind}: ${link.name}'s master (index ${link.master}) is not a ${slaveKind}`,
    );
}

/** Sends a port's options alone (`ip link set dev X type bridge_slave …`). */
export async function setPort(
  h: Handle,
  index: number,
  port: PortParts,
  subject: string,
  opts?: CallOptions,
): Promise<void> {
  const parts: Parts = { ...splitChange({}, undefined), port };
  await h.engine.request(RTM_NEWLINK, 0, (w) => writeLink(w, parts, index, false), {
    subject: `${subject} (${port.def.field})`,
    signal: checkCallOptions(opts),
  });
}

/** Whether enslaving to `master` needs the port down (a bond's or a team's ports). */
export async function needsPortDown(h: Handle, master: unknown, opts?: CallOptions): Promise<boolean> {
  if (typeof master !== 'number' || master === 0) return false;
  const m = await readLink(h, master, opts);
  return TYPES.get(m.type)?.portsDown ?? false;
}

/** Takes port `index` down if `master` needs it so; returns whether it was up. */
export async function portDownFor(
  h: Handle,
  master: unknown,
  index: number,
  subject: string,
  opts?: CallOptions,
): Promise<boolean> {
  if (!(await needsPortDown(h, master, opts))) return false;
  const port = await readLink(h, index, opts);
  if (!port.up) return false;
  await setLinkUp(h, index, false, subject, opts);
  return true;
}
