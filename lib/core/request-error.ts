// How a request's failure reads: a NetlinkError naming the operation, the caller's subject, the
// field an extended ACK's offset points into (the request written again with a trace) and the
// caller's hint (e.g. which driver is missing).
import { NlWriter } from './attr.js';
import { rtmName } from './constants.js';
import { NetlinkError, type Extack } from './errors.js';
import type { RequestContext } from './request.js';

/** The error of a request of `type` (its payload written by `body`) that the kernel refused. */
export function requestError(
  errno: number,
  type: number,
  ctx: RequestContext | undefined,
  body: (w: NlWriter) => void,
  extack: Extack | undefined,
): NetlinkError {
  return new NetlinkError({
    errno,
    op: rtmName(type),
    subject: ctx?.subject,
    extack,
    field: fieldAt(type, body, extack?.offset),
    hint: ctx?.hint?.(errno, extack),
  });
}

/** The error of a request whose reply the kernel dropped (ENOBUFS). */
export function overrunError(errno: number, type: number, ctx: RequestContext | undefined): NetlinkError {
  return new NetlinkError({
    errno,
    op: rtmName(type),
    subject: ctx?.subject,
    hint: 'the socket receive buffer overran and replies were lost',
  });
}

/** Maps an extended-ACK offset back to the field that wrote the attribute there. */
function fieldAt(type: number, body: (w: NlWriter) => void, offset: number | undefined): string | undefined {
  if (offset === undefined) return undefined;
  const w = new NlWriter(256);
  w.trace = [];
  const start = w.beginMessage(type, 0, 0);
  try {
    body(w);
  } catch {
    return undefined;
  }
  w.endMessage(start);
  let best: { start: number; end: number; field: string } | undefined;
  for (const t of w.trace) {
    if (offset >= t.start && offset < t.end && (!best || t.end - t.start < best.end - best.start)) best = t;
  }
  return best?.field;
}
