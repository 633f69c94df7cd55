// The package's error classes: NetlinkError (the kernel refused), DecodeError (bad bytes from
// the wire), DumpInterruptedError (NLM_F_DUMP_INTR after every retry).
import type { BulkResult } from '../../types/route.js';
import { constants as osConstants } from 'node:os';
import { getSystemErrorMap } from 'node:util';

/** What the kernel's extended ACK (NLMSGERR_ATTR_*) said about a refused request. */
export interface Extack {
  /** NLMSGERR_ATTR_MSG: the kernel's text. */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: byte offset, in the request message, of the attribute at fault. */
  offset?: number;
  /** NLMSGERR_ATTR_MISS_TYPE: the type of a missing required attribute. */
  missingType?: number;
}

/** Where Linux has two names for one number, the one netlink users know (and strerror's text). */
const PREFERRED: Readonly<Record<number, [string, string]>> = {
  95: ['EOPNOTSUPP', 'operation not supported'],
};

/** errno → [code, text as strerror(3) says it, capitalised]. */
function errnoInfo(errno: number): [string, string] {
  const hit = PREFERRED[errno] ?? getSystemErrorMap().get(-Math.abs(errno));
  if (!hit) return [`E${errno}`, `Error ${errno}`];
  return [hit[0], hit[1].charAt(0).toUpperCase() + hit[1].slice(1)];
}

/** errno (positive) → 'EEXIST'. */
export function errnoCode(errno: number): string {
  return errnoInfo(errno)[0];
}

export interface NetlinkErrorInit {
  /** Positive errno. */
  errno: number;
  /** The request's message type name, e.g. 'RTM_NEWLINK'. */
  op: string;
  /** What was being done, in the caller's words, e.g. `link.add bond0 (type bond)`. */
  subject?: string | undefined;
  extack?: Extack | undefined;
  /** The caller's field that the extack offset points at. */
  field?: string | undefined;
  /** A hint appended to the message (e.g. which driver is missing). */
  hint?: string | undefined;
}

/** The kernel refused a request (NLMSG_ERROR with a negative error, or a failed dump). */
export class NetlinkError extends Error {
  /** Always 'NetlinkError'. */
  override readonly name = 'NetlinkError';
  /** Positive errno, e.g. 17. */
  readonly errno: number;
  /** e.g. 'EEXIST'. The stable contract; the message text is not. */
  readonly code: string;
  /** e.g. 'RTM_NEWROUTE'. */
  readonly op: string;
  /** The kernel's extended ACK: its message, and the offset of the attribute it blamed. */
  readonly extack: Extack | undefined;
  /** The field of the caller's spec the kernel's extended ACK pointed at, where known. */
  readonly field: string | undefined;

  constructor(init: NetlinkErrorInit) {
    const errno = Math.abs(init.errno);
    const [code, text] = errnoInfo(errno);
    let msg = `${init.subject ?? init.op}: ${text} (${code})`;
    if (init.extack?.message) msg += `: ${init.extack.message}`;
    if (init.field) msg += ` [field "${init.field}"]`;
    if (init.hint) msg += ` — ${init.hint}`;
    super(msg);
    this.errno = errno;
    this.code = code;
    this.op = init.op;
    this.extack = init.extack;
    this.field = init.field;
  }
}

/**
 * The kernel's error again under another subject (the call it belongs to), its errno and extended
 * ACK kept; `field` (default: the error's own) and `hint` as for a new one.
 */
export function resubject(e: NetlinkError, subject: string, field = e.field, hint?: string): NetlinkError {
  return new NetlinkError({ errno: e.errno, op: e.op, subject, extack: e.extack, field, hint });
}

/**
 * An error as the call's: a NetlinkError again under `subject` (the call, and the name it gave
 * where a lookup failed: `route.add 10.0.0.0/8: dev nope0`), its errno, code and extended ACK kept,
 * `field` the caller's field (default: the error's own); any other error as it is.
 */
export function asCallError(e: unknown, subject: string, field?: string): Error {
  if (!(e instanceof NetlinkError)) return e instanceof Error ? e : new Error(String(e));
  return resubject(e, subject, field ?? e.field);
}

/**
 * ENODEV for a device name a call gave that the links dump does not hold, worded as a failed
 * lookup's (asCallError of RTM_GETLINK's): `addr.list: dev nope0: No such device (ENODEV)`.
 */
export function noSuchDevice(call: string, field: string, name: string): NetlinkError {
  return new NetlinkError({
    errno: osConstants.errno.ENODEV,
    op: 'RTM_GETLINK',
    subject: `${call}: ${field} ${name}`,
    field,
  });
}

/** Bytes from the wire that do not decode: a bad length, a truncated attribute, a bad value. */
export class DecodeError extends Error {
  /** Always 'DecodeError'. */
  override readonly name = 'DecodeError';
  /** Always 'EDECODE'. */
  readonly code = 'EDECODE';
  constructor(
    /** What was wrong, e.g. 'attribute 3 has length 2, 8 bytes remain'. */
    readonly reason: string,
    /** Byte offset in the message where it was found. */
    readonly offset: number,
    /**
     * Where in the message: the tables and attributes it was inside, e.g. ['IFLA_LINKINFO',
     * 'IFLA_INFO_DATA(vxlan)', 'port'].
     */
    readonly path: readonly string[] = [],
  ) {
    super(`cannot decode${path.length ? ' ' + path.join('/') : ''} at byte ${offset}: ${reason}`);
  }
}

/** A dump came back with NLM_F_DUMP_INTR (the table changed while it was read), every retry. */
export class DumpInterruptedError extends Error {
  /** Always 'DumpInterruptedError'. */
  override readonly name = 'DumpInterruptedError';
  /** Always 'EINTR'. */
  readonly code = 'EINTR';
  constructor(op: string, attempts: number) {
    super(`${op}: dump interrupted by concurrent changes (NLM_F_DUMP_INTR) ${attempts} times`);
  }
}

/** The handle was closed while the request was pending, or before it was made. */
export class HandleClosedError extends Error {
  /** Always 'HandleClosedError'. */
  override readonly name = 'HandleClosedError';
  /** Always 'ECLOSED'. */
  readonly code = 'ECLOSED';
  /**
   * From route.addMany / replaceMany / delMany: what was confirmed before the handle closed (every
   * spec sent is in `ok` or in `failed`), as an abort's error carries it.
   */
  result?: BulkResult;
  constructor(what = 'request') {
    super(`rtnetlink: handle closed; ${what} not completed`);
  }
}

/** The request was aborted through its AbortSignal. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const e = new Error('The operation was aborted', { cause: reason });
  e.name = 'AbortError';
  return e;
}
