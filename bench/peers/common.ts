// What every route-churn driver shares: the workload's routes, the command line the harness passes
// (--ns NAME --n N --dev veth0 --ifindex I --gw A --gw2 A [--mode M] [--module PATH]) and the line
// protocol it reads back on stdout: "phase NAME" as a phase starts, then one "result {json}".
// A driver never asserts a speed; it reports what it measured and how many routes it saw.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export const PHASES = ['add', 'dump', 'replace', 'delete'] as const;
export type PhaseName = (typeof PHASES)[number];

/** One phase as a driver measured it. */
export interface PhaseResult {
  ms: number;
  /** Routes confirmed (ACKed without error) or, for the dump, our routes seen in it. */
  count: number;
  errors: number;
  firstError?: string;
  /** Peak RSS during the phase (VmHWM after resetting it through /proc/self/clear_refs). */
  peakKb?: number;
  /** RSS when the phase began (what earlier phases left: peakKb − startKb is the phase's own growth). */
  startKb?: number;
  /** CPU time of the whole process (every thread) during the phase: user space and kernel. */
  userMs?: number;
  sysMs?: number;
  /** CPU per thread group (Node drivers): the JS thread, the socket's I/O thread(s), the rest (GC, libuv). */
  threads?: Record<string, { userMs: number; sysMs: number }>;
  /**
   * Dump phase of the rtnetlink drivers: ms from the phase's start until each tenth of the N
   * routes had been read (ten entries): the warm-up curve of a fresh process's first dump.
   */
  tenthsMs?: number[];
  /** When the first of its routes had been read, ms after the call (the rtnetlink drivers). */
  firstMs?: number;
  /** When the phase ran, CLOCK_MONOTONIC µs (as V8 CPU profiles count time), to split a profile. */
  startUs?: number;
  endUs?: number;
}

export interface DriverResult {
  phases: Partial<Record<PhaseName, PhaseResult>>;
  /** The process's VmHWM at the end. */
  vmHwmKb?: number;
  /** VmRSS once loaded and connected, before the first phase. */
  baselineKb?: number;
  note?: string;
}

export interface DriverArgs {
  ns: string;
  n: number;
  dev: string;
  ifindex: number;
  gw: string;
  gw2: string;
  mode: string;
  module: string;
}

export function parseDriverArgs(argv: readonly string[]): DriverArgs {
  const o: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i];
    const v = argv[i + 1];
    if (!k?.startsWith('--') || v === undefined) throw new TypeError(`driver: bad argument ${String(k)}`);
    o[k.slice(2)] = v;
  }
  const n = Number(o['n']);
  if (!Number.isInteger(n) || n <= 0 || n > 1 << 24)
    throw new RangeError(`driver: --n must be an integer in 1..2^24, got ${String(o['n'])}`);
  return {
    ns: o['ns'] ?? '',
    n,
    dev: o['dev'] ?? 'veth0',
    ifindex: Number(o['ifindex'] ?? 0),
    gw: o['gw'] ?? '192.168.0.2',
    gw2: o['gw2'] ?? '192.168.0.3',
    mode: o['mode'] ?? '',
    module: o['module'] ?? '',
  };
}

/** Route i of the workload: the host route 10.x.y.z/32 (i < 2^24). */
export function routeDst(i: number): string {
  return `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

/** The same address as 4 bytes, network order. */
export function routeDstBytes(i: number): Buffer {
  return Buffer.from([10, (i >>> 16) & 255, (i >>> 8) & 255, i & 255]);
}

function statusKb(field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export const vmHwmKb = (): number | undefined => statusKb('VmHWM');
export const vmRssKb = (): number | undefined => statusKb('VmRSS');

const TICK_MS = 10; // USER_HZ = 100 on Linux (sysconf(_SC_CLK_TCK))

/** utime/stime (ms) of every thread of this process, from /proc/self/task/<tid>/stat. */
function threadTimes(): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(Number(tid), [Number(f[11]) * TICK_MS, Number(f[12]) * TICK_MS]);
      } catch {
        // the thread ended
      }
    }
  } catch {
    // no procfs
  }
  return out;
}

let ioThreads: Set<number> | undefined;
let threadsBefore: Set<number> | undefined;

/** Call before opening the socket, then markIoThreads() after: the new threads are the I/O threads. */
export function noteThreads(): void {
  threadsBefore = new Set(threadTimes().keys());
}
export function markIoThreads(): void {
  if (!threadsBefore) return;
  ioThreads = new Set([...threadTimes().keys()].filter((t) => !threadsBefore!.has(t)));
}

function groupTimes(
  before: Map<number, [number, number]>,
  after: Map<number, [number, number]>,
): Record<string, { userMs: number; sysMs: number }> {
  const g: Record<string, { userMs: number; sysMs: number }> = {};
  for (const [tid, [u, k]] of after) {
    const [u0, k0] = before.get(tid) ?? [0, 0];
    const name = tid === process.pid ? 'js' : ioThreads?.has(tid) ? 'io' : 'other';
    const x = (g[name] ??= { userMs: 0, sysMs: 0 });
    x.userMs += u - u0;
    x.sysMs += k - k0;
  }
  return g;
}

/** The highest VmHWM seen before any reset (a reset also lowers what wait4 reports). */
let processPeakKb = 0;

/** Resets VmHWM to the current RSS (Linux ≥ 4.0), so a phase's own peak can be read after it. */
export function resetPeak(): void {
  processPeakKb = Math.max(processPeakKb, vmHwmKb() ?? 0);
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // not permitted: the phase peak is then the process peak so far
  }
}

/** Runs one phase: announces it, resets the peak, times fn (which returns counts). */
export async function phase(
  name: PhaseName,
  out: DriverResult,
  fn: () => Promise<Omit<PhaseResult, 'ms'>>,
): Promise<void> {
  process.stdout.write(`phase ${name}\n`);
  const startKb = vmRssKb();
  resetPeak();
  const thr0 = ioThreads ? threadTimes() : undefined;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = await fn();
  const t1 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  const threads = thr0 ? groupTimes(thr0, threadTimes()) : undefined;
  const peakKb = vmHwmKb();
  const ms = Number(t1 - t0) / 1e6;
  out.phases[name] = {
    ms,
    ...r,
    ...(peakKb !== undefined ? { peakKb } : {}),
    ...(startKb !== undefined ? { startKb } : {}),
    userMs: cpu.user / 1000,
    sysMs: cpu.system / 1000,
    ...(threads ? { threads } : {}),
    startUs: Number(t0 / 1000n),
    endUs: Number(t1 / 1000n),
  };
}

export function finish(out: DriverResult): void {
  const hwm = Math.max(processPeakKb, vmHwmKb() ?? 0);
  if (hwm > 0) out.vmHwmKb = hwm;
  process.stdout.write(`result ${JSON.stringify(out)}\n`);
}

/** Prints "skip REASON" (the harness lists the tool as skipped) and exits cleanly. */
export function skip(reason: string): never {
  process.stdout.write(`skip ${reason}\n`);
  process.exit(0);
}

/** Short text of an error for the report. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return `${(e as Error & { code?: string }).code ?? e.name}: ${e.message}`.slice(0, 300);
  return String(e).slice(0, 300);
}
