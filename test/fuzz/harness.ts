// The decoder fuzz harness, shared by the short run in `npm test` (fuzz.test.ts) and the long
// run (`npm run fuzz`, long.ts). It finds every decoder lib/ exports (AttrSchemas, structs, the
// kind registry's tables, decodeX functions), builds inputs (random bytes, well-formed TLV trees,
// mutations of real kernel dumps in test/fixtures/fuzz-seeds and of the iproute2 .hex fixtures),
// and checks one rule per input: a decoder returns, or throws DecodeError — nothing else escapes,
// nothing runs long, and no allocation or output grows past a bound set by the input's size.
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { NlWriter } from '../../lib/core/attr.js';
import { DecodeError } from '../../lib/core/errors.js';
import { dumpRunEnd, forEachMessage, parseDone, parseError, type NlMsg } from '../../lib/core/nlmsg.js';
import { AttrSchema } from '../../lib/core/schema.js';
import { KINDS } from '../../lib/link/kinds/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** decodeX(m, names?): names maps ifindex → name where a decoder takes one. */
type MsgDecoder = (m: NlMsg, names: ReadonlyMap<number, string>, types: ReadonlyMap<number, number>) => unknown;
type RangeDecoder = (b: Buffer, off: number, end: number) => unknown;
interface StructLike {
  name: string;
  size: number;
  read(b: Buffer, off: number, len: number, path?: readonly string[]): unknown;
}

export interface Targets {
  schemas: Array<{ name: string; schema: AttrSchema<unknown> }>;
  structs: Array<{ name: string; s: StructLike }>;
  messages: Array<{ name: string; fn: MsgDecoder }>;
  ranges: Array<{ name: string; fn: RangeDecoder }>;
}

/** Functions named decodeX that are not message decoders. */
const NOT_DECODERS = new Set(['decodeFlags']);
/**
 * decodeX functions over a byte range (b, off, end); the others take a message (m, names?,
 * types?) — a count of parameters cannot tell them apart (decodeNeigh takes three).
 */
const RANGE_DECODERS = new Set(['decodeRouteTable']);
/** Modules with side effects or nothing to decode. */
const SKIP_MODULES = new Set(['binding.ts', 'transport.ts', 'index.ts']);

function libFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...libFiles(p));
    else if (
      e.name.endsWith('.ts') &&
      !e.name.endsWith('.d.ts') &&
      !(dir === join(root, 'lib') && SKIP_MODULES.has(e.name))
    )
      out.push(p);
  }
  return out.sort();
}

function isStruct(v: unknown): v is StructLike {
  const o = v as Partial<StructLike> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.read === 'function' &&
    typeof o.size === 'number' &&
    typeof o.name === 'string' &&
    typeof (o as { write?: unknown }).write === 'function'
  );
}

/** Every decoder in lib/, found by importing each module and looking at its exports. */
export async function loadTargets(): Promise<Targets> {
  const t: Targets = { schemas: [], structs: [], messages: [], ranges: [] };
  const seen = new Set<unknown>();
  for (const file of libFiles(join(root, 'lib'))) {
    const rel = relative(root, file).replace(/\.ts$/, '.js');
    const mod = (await import(`../../${rel}`)) as Record<string, unknown>;
    for (const [k, v] of Object.entries(mod)) {
      if (seen.has(v)) continue;
      if (v instanceof AttrSchema) {
        seen.add(v);
        t.schemas.push({ name: `${rel}:${k} (${v.name})`, schema: v as AttrSchema<unknown> });
      } else if (isStruct(v)) {
        seen.add(v);
        t.structs.push({ name: `${rel}:${k}`, s: v });
      } else if (typeof v === 'function' && /^decode[A-Z]/.test(k) && !NOT_DECODERS.has(k)) {
        seen.add(v);
        if (RANGE_DECODERS.has(k)) t.ranges.push({ name: `${rel}:${k}`, fn: v as RangeDecoder });
        else t.messages.push({ name: `${rel}:${k}`, fn: v as MsgDecoder });
      }
    }
  }
  for (const def of KINDS.values()) {
    if (def.data && !seen.has(def.data)) {
      seen.add(def.data);
      t.schemas.push({ name: `KINDS:${def.kind} (${def.data.name})`, schema: def.data });
    }
  }
  return t;
}

export function targetNames(t: Targets): string[] {
  return [...t.messages, ...t.ranges, ...t.schemas, ...t.structs].map((x) => x.name);
}

// ---- the check ----

/** A decoder broke the rule: something other than DecodeError escaped, or a bound was exceeded. */
export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
  constructor(
    readonly target: string,
    readonly error: unknown,
    readonly input: Buffer,
  ) {
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const where = error instanceof Error && error.stack ? `\n${error.stack.split('\n').slice(1, 6).join('\n')}` : '';
    super(`${target}: ${what}\n  input (${input.length} bytes): ${input.toString('hex')}${where}`);
  }
}

// Buffer allocations made while a decoder runs, to catch sizes taken from a length field.
let maxAlloc = 0;
let tracking = false;
let allocHooked = false;
function hookAllocations(): void {
  if (allocHooked) return;
  allocHooked = true;
  for (const k of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
    const orig = Buffer[k] as (size: number, ...rest: unknown[]) => Buffer;
    (Buffer as unknown as Record<string, unknown>)[k] = function (size: number, ...rest: unknown[]): Buffer {
      if (tracking && size > maxAlloc) maxAlloc = size;
      return orig.call(Buffer, size, ...rest);
    };
  }
}

/** A rough size of a decoded value (characters, bytes, elements), to bound output by input. */
export function weight(v: unknown, depth = 0): number {
  if (depth > 64) throw new Error('decoded value nested more than 64 deep');
  if (typeof v === 'string') return v.length;
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + 1 + weight(x, depth + 1), 0);
  if (v && typeof v === 'object')
    return Object.entries(v).reduce((n, [k, x]) => n + k.length + weight(x, depth + 1), 0);
  return 1;
}

/** Per-case bounds: time, allocation, output. */
export const LIMITS = {
  /** A single decoder call on one input (ms); a loop over a length field would blow it. */
  callMs: 1000,
  /** Largest Buffer a decoder may allocate: a fixed slack plus the input's size. */
  alloc: (inputLen: number): number => 65536 + 2 * inputLen,
  /** Largest decoded output: flag names and address text expand bytes, by at most ~40×. */
  output: (inputLen: number): number => 4096 + 64 * inputLen,
};

export interface Stats {
  cases: number;
  calls: number;
  decoded: number;
  decodeErrors: number;
  maxCallMs: number;
  /** The decoder of the slowest call. */
  slowest: string;
  maxAlloc: number;
}

/** Fast mode: no stack traces while decoding (a failure is re-run with them). */
export function fastErrors(): void {
  Error.stackTraceLimit = 0;
}

export function newStats(): Stats {
  return { cases: 0, calls: 0, decoded: 0, decodeErrors: 0, maxCallMs: 0, slowest: '', maxAlloc: 0 };
}

/** How long fn takes (ms), whatever it throws. */
function timed(fn: () => unknown): number {
  const t0 = performance.now();
  try {
    fn();
  } catch {
    // the first run already judged what it throws
  }
  return performance.now() - t0;
}

function call(name: string, input: Buffer, st: Stats, fn: () => unknown): void {
  st.calls++;
  const limit = Error.stackTraceLimit;
  maxAlloc = 0;
  tracking = true;
  const t0 = performance.now();
  let out: unknown;
  try {
    out = fn();
  } catch (thrown) {
    let e = thrown;
    tracking = false;
    if (e instanceof DecodeError) {
      st.decodeErrors++;
    } else {
      // Runs go without stack traces (most inputs throw DecodeError; traces cost more than
      // decoding): take the failure again with one.
      if (limit === 0) {
        Error.stackTraceLimit = 10;
        try {
          fn();
        } catch (again) {
          e = again;
        } finally {
          Error.stackTraceLimit = limit;
        }
      }
      throw new FuzzFailure(name, e, input);
    }
  } finally {
    tracking = false;
  }
  const ms = performance.now() - t0;
  if (ms > st.maxCallMs) {
    st.maxCallMs = ms;
    st.slowest = name;
  }
  if (maxAlloc > st.maxAlloc) st.maxAlloc = maxAlloc;
  // A pause of the shared machine (GC, another process) can stretch one call: a slow call fails
  // only if it is slow again when timed once more.
  if (ms > LIMITS.callMs && timed(fn) > LIMITS.callMs)
    throw new FuzzFailure(name, new Error(`took ${ms.toFixed(1)} ms`), input);
  if (maxAlloc > LIMITS.alloc(input.length))
    throw new FuzzFailure(name, new Error(`allocated a ${maxAlloc}-byte Buffer`), input);
  if (out !== undefined) {
    st.decoded++;
    const w = weight(out);
    if (w > LIMITS.output(input.length)) throw new FuzzFailure(name, new Error(`output of weight ${w}`), input);
  }
}

const NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'lo'],
  [2, 'eth0'],
]);
/** Hardware types (ifi_type) of some indexes, so decoders that read by them (decodeNeigh) take those paths too. */
const TYPES: ReadonlyMap<number, number> = new Map([
  [2, 778], // ARPHRD_IPGRE: 4 bytes as IPv4
  [3, 823], // ARPHRD_IP6GRE: 16 bytes as IPv6
]);

/** The family header after nlmsghdr, by message type (ifinfomsg, ifaddrmsg, rtmsg, ndmsg, …). */
function familyHeader(type: number): number {
  if (type >= 16 && type < 20) return 16;
  if ((type >= 20 && type < 24) || (type >= 104 && type < 108)) return 8;
  if (type >= 24 && type < 36) return 12;
  if (type >= 80 && type < 92) return 4;
  return 0;
}

/**
 * Feeds one input to every decoder: as a chunk of messages (framing, NLMSG_ERROR/DONE readers,
 * message decoders, tables after the family header), or, when it does not frame, as a bare
 * payload (tables from byte 0 and after nlmsghdr + family header).
 */
export function runCase(t: Targets, input: Buffer, st: Stats): void {
  hookAllocations();
  st.cases++;
  const msgs: NlMsg[] = [];
  let framed = true;
  call('forEachMessage', input, st, () => {
    try {
      forEachMessage(input, (m) => void msgs.push(m));
    } catch (e) {
      framed = false;
      throw e;
    }
  });
  // A dump's run from the first message, as the engine takes it (the seq of the first, if any).
  call('dumpRunEnd', input, st, () => {
    dumpRunEnd(input, 0, input.length >= 12 ? input.readUInt32LE(8) : 0, new Int32Array(1));
  });
  // Bytes that did not frame are still fed to the decoders, as one bare payload.
  const type = input.length >= 6 ? input.readUInt16LE(4) : 16;
  if (!framed || msgs.length === 0)
    msgs.push({ type, flags: 0, seq: 0, pid: 0, buf: input, start: 0, off: 0, end: input.length });
  for (const m of msgs.slice(0, 8)) {
    call('parseError', input, st, () => parseError(m));
    call('parseDone', input, st, () => parseDone(m));
    for (const d of t.messages) call(d.name, input, st, () => d.fn(m, NAMES, TYPES));
    for (const d of t.ranges) call(d.name, input, st, () => d.fn(m.buf, m.off, m.end));
    for (const s of t.structs) call(s.name, input, st, () => s.s.read(m.buf, m.off, m.end - m.off, []));
    const starts = m.start === m.off ? [0, 16 + familyHeader(m.type)] : [familyHeader(m.type)];
    for (const h of starts) {
      if (m.off + h > m.end) break;
      for (const s of t.schemas) call(s.name, input, st, () => s.schema.decode(m.buf, m.off + h, m.end));
    }
  }
}

/**
 * v without the fields encode leaves out by design: read-only rows (a KindCodec with readOnly),
 * and `false` where the re-read value lacks the field (a flag writes nothing for false, so
 * false and absent are one state on the wire).
 */
function writable(schema: AttrSchema<unknown>, v: unknown, reread: unknown): unknown {
  const out = { ...(v as Record<string, unknown>) };
  const again = reread as Record<string, unknown>;
  for (const r of schema.rows) {
    if ((r.codec as { readOnly?: boolean }).readOnly) delete out[r.key];
    else if (out[r.key] === false && again[r.key] === undefined) delete out[r.key];
  }
  return out;
}

/**
 * decode∘encode is the identity on what decode returns: for attribute bytes that decode, the
 * value either re-encodes (TypeError/RangeError are allowed: not every wire value is writable,
 * e.g. a 4-byte hardware address) to bytes that decode to the same value, read-only fields aside.
 */
export function roundTrip(t: Targets, input: Buffer, st: Stats): void {
  hookAllocations();
  st.cases++;
  for (const s of t.schemas) {
    let v: unknown;
    st.calls++;
    try {
      v = s.schema.decode(input, 0, input.length);
      st.decoded++;
    } catch (e) {
      if (e instanceof DecodeError) {
        st.decodeErrors++;
        continue;
      }
      throw new FuzzFailure(`${s.name} decode`, e, input);
    }
    const w = new NlWriter(256);
    try {
      s.schema.encode(w, v as Record<string, unknown>);
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError) continue;
      throw new FuzzFailure(`${s.name} encode`, e, input);
    }
    const again = w.take();
    let v2: unknown;
    try {
      v2 = s.schema.decode(again, 0, again.length);
    } catch (e) {
      throw new FuzzFailure(`${s.name} decode(encode(decode(x)))`, e, input);
    }
    if (!isDeepStrictEqual(writable(s.schema, v, v2), writable(s.schema, v2, v2))) {
      throw new FuzzFailure(
        `${s.name} round trip`,
        new Error(`${JSON.stringify(v)} became ${JSON.stringify(v2)}`),
        input,
      );
    }
  }
}

// ---- inputs ----

/** Reads the seeds: kernel dumps (*.bin) and iproute2 request fixtures (*.hex), split into messages. */
export function loadSeeds(): { files: string[]; messages: Buffer[] } {
  const files: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.bin') || e.name.endsWith('.hex')) files.push(p);
    }
  };
  walk(join(root, 'test', 'fixtures'));
  files.sort();
  const messages: Buffer[] = [];
  for (const f of files) {
    let b = readFileSync(f);
    if (f.endsWith('.hex')) {
      const text = b
        .toString('utf8')
        .split('\n')
        .filter((l) => !l.trimStart().startsWith('#'))
        .join(' ');
      b = Buffer.from(text.replace(/[^0-9a-fA-F]/g, ''), 'hex');
    }
    if (b.length === 0) continue;
    try {
      forEachMessage(b, (m) => void messages.push(Buffer.from(b.subarray(m.start, m.end))));
    } catch {
      messages.push(b);
    }
  }
  return { files: files.map((f) => relative(root, f)), messages };
}

function nla(type: number, payload: Uint8Array): Buffer {
  const len = 4 + payload.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt16LE(len & 0xffff, 0);
  b.writeUInt16LE(type, 2);
  b.set(payload, 4);
  return b;
}

function nlmsgBytes(type: number, flags: number, payload: Uint8Array): Buffer {
  const len = 16 + payload.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.set(payload, 16);
  return b;
}

const u32 = (v: number): Uint8Array => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};

/** Payloads that sit on codec boundaries: empty, 1/2/4/6/8/16 bytes, strings, extremes. */
const payloadArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 24 }) },
  fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 8, 12, 16, 20, 64).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff).map(u32),
  fc.string({ maxLength: 20 }).map((s) => Buffer.from(s + (s.length % 2 ? '\0' : ''))),
);

const typeArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 40 }) },
  fc.integer({ min: 0, max: 0xffff }),
);

/** Well-formed TLV trees (lengths right), so inputs get past framing into the codecs. */
export const attrsArb: fc.Arbitrary<Buffer> = fc.letrec<{ stream: Buffer; attr: Buffer }>((tie) => ({
  stream: fc.array(tie('attr'), { maxLength: 8 }).map((a) => Buffer.concat(a)),
  attr: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.tuple(typeArb, payloadArb).map(([t, p]) => nla(t, p)),
    fc
      .tuple(typeArb, tie('stream'), fc.boolean())
      .map(([t, s, flagged]) => nla(flagged ? (t | 0x8000) & 0xffff : t, s)),
  ),
})).stream;

/** rtnetlink message types worth decoding, plus NLMSG_ERROR and NLMSG_DONE. */
const MSG_TYPES = [2, 3, 16, 17, 20, 21, 24, 25, 28, 29, 32, 33, 80, 88, 104, 105];
const FAMILIES = [0, 2, 7, 10, 17, 28, 129];

/** Messages: a header, a family struct of a plausible size starting with a real family, TLVs. */
export const messageArb: fc.Arbitrary<Buffer> = fc
  .array(
    fc
      .tuple(
        fc.constantFrom(...MSG_TYPES),
        fc.integer({ min: 0, max: 0xffff }),
        fc.constantFrom(...FAMILIES),
        fc.constantFrom(4, 8, 12, 16).chain((n) => fc.uint8Array({ minLength: n - 1, maxLength: n - 1 })),
        attrsArb,
      )
      .map(([type, flags, fam, hdr, attrs]) =>
        nlmsgBytes(type, flags, Buffer.concat([Buffer.from([fam]), hdr, attrs])),
      ),
    { minLength: 1, maxLength: 3 },
  )
  .map((a) => Buffer.concat(a));

interface Mutation {
  kind: number;
  pos: number;
  val: number;
  len: number;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.integer({ min: 0, max: 8 }),
  pos: fc.nat(),
  val: fc.nat(),
  len: fc.integer({ min: 1, max: 24 }),
});

const INTERESTING16 = [0, 1, 2, 3, 4, 5, 7, 8, 0xff, 0x100, 0x7fff, 0x8000, 0xfffc, 0xffff];
const INTERESTING32 = [0, 1, 15, 16, 17, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff];

/** Applies mutations to a copy of seed; `fix` re-writes the first nlmsg_len to the new size. */
export function mutate(seed: Buffer, muts: readonly Mutation[], fix: boolean): Buffer {
  let b = Buffer.from(seed);
  for (const m of muts) {
    const n = b.length;
    if (n === 0) break;
    const p = m.pos % n;
    const a4 = p & ~3;
    switch (m.kind) {
      case 0:
        b[p] = b[p]! ^ (1 << (m.val & 7));
        break;
      case 1:
        b[p] = m.val & 0xff;
        break;
      case 2: {
        // A length/type field: TLV headers sit on 4-byte boundaries.
        if (a4 + 2 > n) break;
        const cur = b.readUInt16LE(a4);
        const choices = [
          ...INTERESTING16,
          (cur + 1) & 0xffff,
          (cur - 1) & 0xffff,
          (cur + 4) & 0xffff,
          (cur - 4) & 0xffff,
        ];
        b.writeUInt16LE(choices[m.val % choices.length]!, a4);
        break;
      }
      case 3: {
        if (a4 + 4 > n) break;
        const cur = b.readUInt32LE(a4);
        const choices = [...INTERESTING32, (cur + 1) >>> 0, (cur - 1) >>> 0, n, n + 4];
        b.writeUInt32LE(choices[m.val % choices.length]! >>> 0, a4);
        break;
      }
      case 4:
        b = b.subarray(0, p);
        break;
      case 5:
        b = Buffer.concat([b.subarray(0, p), b.subarray(Math.min(n, p + m.len))]);
        break;
      case 6:
        b = Buffer.concat([b.subarray(0, p), b.subarray(p, p + m.len), b.subarray(p)]);
        break;
      case 7:
        b = Buffer.concat([b.subarray(0, p), Buffer.alloc(m.len, m.val & 0xff), b.subarray(p)]);
        break;
      default: {
        // Swap in a random aligned u16 as an attribute type (NLA_F_NESTED / BYTEORDER bits too).
        if (a4 + 4 > n) break;
        b.writeUInt16LE(m.val & 0xffff, a4 + 2);
      }
    }
  }
  if (fix && b.length >= 4) {
    b = Buffer.from(b);
    b.writeUInt32LE(b.length, 0);
  }
  return b;
}

/** Mutations of the seed messages (one, or two back to back). */
export function mutatedArb(seeds: readonly Buffer[]): fc.Arbitrary<Buffer> {
  if (seeds.length === 0) return messageArb;
  const seedArb = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...seeds) },
    fc.tuple(fc.constantFrom(...seeds), fc.constantFrom(...seeds)).map(([a, b]) => Buffer.concat([a, b])),
  );
  return fc
    .tuple(seedArb, fc.array(mutationArb, { minLength: 1, maxLength: 6 }), fc.boolean())
    .map(([s, m, fix]) => mutate(s, m, fix));
}

export const randomArb: fc.Arbitrary<Buffer> = fc.uint8Array({ maxLength: 320 }).map((u) => Buffer.from(u));

/** The mix of the short and long runs: name, arbitrary, check, share of the cases. */
export function plan(
  t: Targets,
  seeds: readonly Buffer[],
): Array<{ name: string; arb: fc.Arbitrary<Buffer>; check: (x: Buffer, st: Stats) => void; share: number }> {
  return [
    { name: 'random bytes', arb: randomArb, check: (x, st) => runCase(t, x, st), share: 0.2 },
    {
      name: 'well-formed messages with random attributes',
      arb: messageArb,
      check: (x, st) => runCase(t, x, st),
      share: 0.25,
    },
    {
      name: 'mutated kernel dumps and iproute2 fixtures',
      arb: mutatedArb(seeds),
      check: (x, st) => runCase(t, x, st),
      share: 0.45,
    },
    { name: 'decode(encode(decode(x))) round trip', arb: attrsArb, check: (x, st) => roundTrip(t, x, st), share: 0.1 },
  ];
}
