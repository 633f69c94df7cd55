// Input checks shared by every family: each throws a TypeError (or RangeError for a number out
// of range) naming the caller's field, before anything is sent.
import { describe } from './schema.js';

export { describe };

/** IFNAMSIZ - 1: the kernel's limit on interface names. */
export const IFNAME_MAX = 15;

/** An interface name as the kernel's dev_valid_name() accepts it. */
export function checkIfName(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0)
    throw new TypeError(`Expected "${field}" to be a non-empty interface name, got ${describe(v)}`);
  if (Buffer.byteLength(v) > IFNAME_MAX)
    throw new TypeError(
      `Expected "${field}" to be at most ${IFNAME_MAX} bytes, got ${describe(v)} (${Buffer.byteLength(v)} bytes)`,
    );
  if (v === '.' || v === '..' || /[/:\s\0]/.test(v)) {
    throw new TypeError(
      `Expected "${field}" to be an interface name without '/', ':', NUL or whitespace, got ${describe(v)}`,
    );
  }
  return v;
}

export function checkInt(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new TypeError(`Expected "${field}" to be an integer in ${min}..${max}, got ${describe(v)}`);
  if (v < min || v > max) throw new RangeError(`Expected "${field}" to be an integer in ${min}..${max}, got ${v}`);
  return v;
}

export function checkBool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`Expected "${field}" to be a boolean, got ${describe(v)}`);
  return v;
}

export function checkString(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new TypeError(`Expected "${field}" to be a string, got ${describe(v)}`);
  return v;
}

export function checkObject(v: unknown, field: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new TypeError(`Expected "${field}" to be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

/**
 * Refuses a field `known` does not hold (a misspelt one would otherwise be ignored): `what` names
 * the object, as in `Unknown field "src" in the rule spec`.
 */
export function checkKnownFields(o: object, known: ReadonlySet<string>, what: string): void {
  for (const k of Object.keys(o)) if (!known.has(k)) throw new TypeError(`Unknown field "${k}" in the ${what}`);
}

/** One of a fixed set of names. */
export function checkOneOf<N extends string>(v: unknown, field: string, names: readonly N[]): N {
  if (typeof v !== 'string' || !(names as readonly string[]).includes(v)) {
    throw new TypeError(`Expected "${field}" to be one of ${names.join(', ')}, got ${describe(v)}`);
  }
  return v as N;
}

/** The options bag every request method takes last. */
export interface CallOptions {
  /** Aborts the call: it rejects with an AbortError (a request already sent may have taken effect). */
  signal?: AbortSignal | undefined;
}

export function checkCallOptions(v: unknown): AbortSignal | undefined {
  if (v === undefined) return undefined;
  const o = checkObject(v, 'options');
  const s = o['signal'];
  if (s === undefined) return undefined;
  if (!(s instanceof AbortSignal)) throw new TypeError('Expected "signal" to be an AbortSignal');
  return s;
}
