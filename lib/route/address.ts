// A route's addresses and prefixes, parsed for writing from the text a RouteSpec holds, with
// errors naming the field: IPv4 by hand as a number (no Buffer, no string slice: the bulk path
// writes it straight into the message), IPv6 through core/inet.
import { parseIPv6 } from '../core/inet.js';
import { describe } from '../core/validate.js';

/**
 * Parses dotted-quad text in s[start, end) as inet_pton(AF_INET) does (no leading zeros);
 * returns the address as an unsigned 32-bit number, or -1.
 */
export function parse4(s: string, start: number, end: number): number {
  let v = 0;
  let parts = 0;
  let i = start;
  while (i < end) {
    let n = 0;
    let digits = 0;
    const first = s.charCodeAt(i);
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || n > 255 || (digits > 1 && first === 48)) return -1;
    v = v * 256 + n;
    parts++;
    if (i === end) break;
    if (s.charCodeAt(i) !== 46 || parts === 4) return -1;
    i++;
    if (i === end) return -1;
  }
  return parts === 4 ? v : -1;
}

/** An address parsed for writing: IPv4 as a number, IPv6 as 16 bytes; `len` its prefix length. */
export interface Addr {
  family: 4 | 6;
  v4: number;
  v6: Buffer | undefined;
  /** The text it came from is s[start, end) (sliced only when the table path needs it). */
  s: string;
  start: number;
  end: number;
  len: number;
}

function parseAddr(s: string, start: number, end: number): Addr | undefined {
  const v4 = parse4(s, start, end);
  if (v4 >= 0) return { family: 4, v4, v6: undefined, s, start, end, len: 32 };
  const text = start === 0 && end === s.length ? s : s.slice(start, end);
  const v6 = text.includes(':') ? parseIPv6(text) : undefined;
  return v6 ? { family: 6, v4: 0, v6, s, start, end, len: 128 } : undefined;
}

/** The address as text (for the table codecs). */
export function addrText(a: Addr): string {
  return a.start === 0 && a.end === a.s.length ? a.s : a.s.slice(a.start, a.end);
}

export function badAddr(field: string, v: unknown, what = 'an IPv4 or IPv6 address'): TypeError {
  return new TypeError(`Expected "${field}" to be ${what}, got ${describe(v)}`);
}

function familyName(f: 4 | 6): string {
  return f === 4 ? 'IPv4' : 'IPv6';
}

function wrongFamily(field: string, v: unknown, want: 4 | 6, got: 4 | 6, what: string): TypeError {
  return new TypeError(
    `Expected "${field}" to be an ${familyName(want)} ${what} like the route's, got ${describe(v)} (${familyName(got)})`,
  );
}

/** An address of the route's family (when known) for `field`. */
export function addrOf(v: unknown, field: string, family: 4 | 6 | 0): Addr {
  if (typeof v !== 'string') throw badAddr(field, v);
  const a = parseAddr(v, 0, v.length);
  if (!a) throw badAddr(field, v);
  if (family && a.family !== family) throw wrongFamily(field, v, family, a.family, 'address');
  return a;
}

/** The prefix length in s from `start` to its end: 1 to 3 decimal digits; -1 if it is not that. */
export function prefixLength(s: string, start: number): number {
  const digits = s.length - start;
  if (digits < 1 || digits > 3) return -1;
  let len = 0;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    len = len * 10 + (c - 48);
  }
  return len;
}

/**
 * A destination or source prefix for `field`: 'a.b.c.d/len' or an address (a host prefix);
 * 'default' (also 'all', 'any', as ip takes them) is undefined.
 */
export function prefixOf(v: unknown, field: string, family: 4 | 6 | 0): Addr | undefined {
  if (typeof v !== 'string')
    throw new TypeError(`Expected "${field}" to be a prefix like '10.0.0.0/24' or 'default', got ${describe(v)}`);
  const slash = v.indexOf('/');
  const end = slash < 0 ? v.length : slash;
  const a = parseAddr(v, 0, end);
  if (!a) {
    if (v === 'default' || v === 'all' || v === 'any') return undefined;
    throw new TypeError(
      `Expected "${field}" to be a prefix like '10.0.0.0/24', an address or 'default', got ${describe(v)}`,
    );
  }
  if (family && a.family !== family) throw wrongFamily(field, v, family, a.family, 'prefix');
  if (slash < 0) return a;
  const len = prefixLength(v, slash + 1);
  if (len < 0) throw new TypeError(`Expected "${field}" to have a prefix length after '/', got ${describe(v)}`);
  if (len > a.len)
    throw new TypeError(
      `Expected "${field}" prefix length to be at most ${a.len} for ${familyName(a.family)}, got ${describe(v)}`,
    );
  a.len = len;
  return a;
}
