// One link by name or index, for the LinkApi and the port paths: the request body selecting it,
// its RTM_GETLINK, its ifindex, and `ip link set DEV up|down`.
import type { Handle } from '../handle.js';
import type { NlWriter } from '../core/attr.js';
import { AF_UNSPEC, RTM_GETLINK, RTM_NEWLINK } from '../core/constants.js';
import { asCallError } from '../core/errors.js';
import type { NlMsg } from '../core/nlmsg.js';
import { checkCallOptions, checkIfName, checkInt, describe, type CallOptions } from '../core/validate.js';
import type { Link, LinkRef } from '../../types/link.js';
import { IFF_UP, ifinfomsg, IFLA_EXT_MASK, IFLA_IFNAME } from './ifla.js';
import { decodeLink } from './decode.js';

/** A request body selecting one link by index or by name. */
export function lookupBody(ref: LinkRef, field: string): (w: NlWriter) => void {
  if (typeof ref === 'number') {
    const index = checkInt(ref, field, 1, 0x7fffffff);
    return (w) => {
      ifinfomsg.write(w, { family: AF_UNSPEC, index });
      w.attrU32(IFLA_EXT_MASK, 0);
    };
  }
  if (typeof ref !== 'string')
    throw new TypeError(`Expected "${field}" to be a link name or index, got ${describe(ref)}`);
  const name = checkIfName(ref, field);
  return (w) => {
    ifinfomsg.write(w, { family: AF_UNSPEC });
    w.attrU32(IFLA_EXT_MASK, 0);
    w.attrString(IFLA_IFNAME, name);
  };
}

/** RTM_GETLINK of one link; `subject` words an error (default `link.get REF`). */
export async function readLink(
  h: Handle,
  ref: LinkRef,
  opts?: CallOptions,
  subject = `link.get ${ref}`,
): Promise<Link> {
  const signal = checkCallOptions(opts);
  const body = lookupBody(ref, 'nameOrIndex');
  const replies = await h.engine.request(RTM_GETLINK, 0, body, { subject, signal });
  const m = replies.find((r) => r.type === RTM_NEWLINK);
  if (!m) throw new Error(`${subject}: the kernel sent no RTM_NEWLINK`);
  return decodeLink(m);
}

/** LinkApi.indexOf: see there. */
export async function linkIndex(
  h: Handle,
  ref: LinkRef,
  field: string,
  opts?: CallOptions,
  call?: string,
): Promise<number> {
  if (typeof ref === 'number') return checkInt(ref, field, 1, 0x7fffffff);
  const signal = checkCallOptions(opts);
  const body = lookupBody(ref, field);
  if (!signal?.aborted) {
    const now = h.engine.ifIndexNow(ref);
    if (now > 0) return now;
  }
  const subject = call ? `${call}: ${field} ${ref}` : `${field} ${ref}`;
  let replies: NlMsg[];
  try {
    replies = await h.engine.request(RTM_GETLINK, 0, body, { subject, signal });
  } catch (e) {
    throw call ? asCallError(e, subject, field) : e;
  }
  const m = replies.find((r) => r.type === RTM_NEWLINK);
  if (!m) throw new Error(`${subject}: the kernel sent no RTM_NEWLINK`);
  return ifinfomsg.read(m.buf, m.off, m.end - m.off).index;
}

/** `ip link set DEV up|down`, its error worded as `subject`'s. */
export async function setLinkUp(
  h: Handle,
  ref: LinkRef,
  up: boolean,
  subject: string,
  opts?: CallOptions,
): Promise<void> {
  const index = await linkIndex(h, ref, 'nameOrIndex', opts);
  await h.engine.request(
    RTM_NEWLINK,
    0,
    (w) => ifinfomsg.write(w, { family: AF_UNSPEC, index, flags: up ? IFF_UP : 0, change: IFF_UP }),
    {
      subject: `${subject} (${up ? 'up' : 'down'})`,
      signal: checkCallOptions(opts),
    },
  );
}
