// Address text ↔ bytes: IPv4, IPv6 (printed as inet_ntop prints it), MAC, CIDR prefixes.
// Parsers return undefined on malformed text; callers turn that into a TypeError naming their field.
import { isIPv4, isIPv6 } from 'node:net';

/** An address family as the API names it: 4 (AF_INET) or 6 (AF_INET6). */
export type Family = 4 | 6;

/** Dotted-quad text to 4 bytes; undefined when malformed (no shorthand forms such as '10.1'). */
export function parseIPv4(s: string): Buffer | undefined {
  if (!isIPv4(s)) return undefined;
  const out = Buffer.allocUnsafe(4);
  const parts = s.split('.');
  for (let i = 0; i < 4; i++) out[i] = Number(parts[i]);
  return out;
}

/** 4 bytes at off as dotted-quad text. */
export function formatIPv4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** IPv6 text to 16 bytes (a '%zone' suffix is ignored); undefined when malformed. */
export function parseIPv6(s: string): Buffer | undefined {
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (!isIPv6(s)) return undefined;
  const out = Buffer.alloc(16);
  let tail = s;
  let v4: Buffer | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) >= 0) {
    v4 = parseIPv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = s.slice(0, lastColon + 1) + '0:0';
  }
  const [head, rest] = tail.split('::') as [string, string | undefined];
  const hs = head ? head.split(':') : [];
  const ts = rest !== undefined ? (rest ? rest.split(':') : []) : [];
  const groups = rest !== undefined ? [...hs, ...Array<string>(8 - hs.length - ts.length).fill('0'), ...ts] : hs;
  if (groups.length !== 8) return undefined;
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (v4) v4.copy(out, 12);
  return out;
}

/** Formats 16 bytes as inet_ntop(AF_INET6) does (RFC 5952: longest zero run compressed). */
export function formatIPv6(b: Uint8Array, off = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!);
  // IPv4-mapped and IPv4-compatible forms, as glibc prints them
  if (
    g[0] === 0 &&
    g[1] === 0 &&
    g[2] === 0 &&
    g[3] === 0 &&
    g[4] === 0 &&
    (g[5] === 0xffff || (g[5] === 0 && g[6] !== 0))
  ) {
    const v4 = formatIPv4(b, off + 12);
    if (g[5] === 0xffff) return `::ffff:${v4}`;
    if (g[6]! > 0 || g[7]! > 1) return `::${v4}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Either family: 4 or 16 bytes. */
export function parseIP(s: string):
  | {
      /** 4 or 6. */
      family: Family;
      /** The address: 4 or 16 bytes. */
      bytes: Buffer;
    }
  | undefined {
  const v4 = parseIPv4(s);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIPv6(s);
  if (v6) return { family: 6, bytes: v6 };
  return undefined;
}

/** An address of len bytes at off as text: IPv4 for 4, IPv6 for 16, hex otherwise. */
export function formatIP(b: Uint8Array, off: number, len: number): string {
  if (len === 4) return formatIPv4(b, off);
  if (len === 16) return formatIPv6(b, off);
  return Buffer.from(b.subarray(off, off + len)).toString('hex');
}

const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** 'aa:bb:cc:dd:ee:ff' to 6 bytes; undefined when malformed. */
export function parseMac(s: string): Buffer | undefined {
  if (!MAC_RE.test(s)) return undefined;
  return Buffer.from(s.replace(/:/g, ''), 'hex');
}

/** Hardware addresses of any length as `aa:bb:…` (ip prints lo's as 00:00:00:00:00:00). */
export function formatMac(b: Uint8Array, off = 0, len = 6): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const x = b[off + i]!;
    s += (i ? ':' : '') + (x < 16 ? '0' : '') + x.toString(16);
  }
  return s;
}

/** A parsed prefix: its family, address bytes and length. */
export interface Prefix {
  /** 4 or 6. */
  family: Family;
  /** The address: 4 or 16 bytes. */
  bytes: Buffer;
  /** The prefix length. */
  prefixlen: number;
}

/** '10.0.0.0/24', '10.0.0.1' (a host prefix), 'fe80::/64'. Undefined when malformed or too long. */
export function parsePrefix(s: string): Prefix | undefined {
  const slash = s.indexOf('/');
  const ip = parseIP(slash < 0 ? s : s.slice(0, slash));
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  if (slash < 0) return { ...ip, prefixlen: max };
  const p = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(p)) return undefined;
  const prefixlen = Number(p);
  if (prefixlen > max) return undefined;
  return { ...ip, prefixlen };
}

/** An address and prefix length as 'ADDRESS/LEN'. */
export function formatPrefix(family: Family, b: Uint8Array, off: number, prefixlen: number): string {
  return `${family === 4 ? formatIPv4(b, off) : formatIPv6(b, off)}/${prefixlen}`;
}
