// From runs to figures: routes/s per phase for each run, the ratio to the limit tool of the
// same N in the same run, then min / median / max over the runs. A run whose counts do not add up
// (a route not confirmed, not seen in the dump, or left behind) is kept but marked invalid.
import { PHASES, type PhaseName, type PhaseResult } from './peers/common.js';

export interface RunRecord {
  n: number;
  tool: string;
  run: number;
  phases: Partial<Record<PhaseName, PhaseResult>>;
  /** The tool process's peak RSS (GNU time, else the driver's own VmHWM), KiB. */
  maxRssKb?: number;
  /** The driver's RSS once loaded, before the first phase, KiB. */
  baselineKb?: number;
  /** Routes per phase when only a sample of N was sent (rates then extrapolate). */
  sample?: number;
  /** Our routes found in the table after the tool finished (should be 0). */
  leftover?: number;
  error?: string;
  problems: string[];
}

export interface Range {
  min: number;
  median: number;
  max: number;
}

export interface PhaseSummary {
  /** routes/s */
  rate: Range;
  /** rate ÷ the limit's rate in the same run */
  ratio?: Range;
  runs: number;
  /** Highest per-phase peak RSS seen, KiB (where the driver measures it). */
  peakKb?: number;
  /** Largest growth of RSS within the phase (peak − RSS at its start), KiB. */
  growthKb?: number;
  /** CPU µs per route of the tool's process (all its threads): user space and kernel (sys). */
  userUs?: Range;
  sysUs?: Range;
}

export interface ToolSummary {
  n: number;
  tool: string;
  phases: Partial<Record<PhaseName, PhaseSummary>>;
  maxRssKb?: number;
  baselineKb?: number;
  /** Rates come from a sample of this many routes per phase. */
  sample?: number;
  /** Runs with problems (counted routes missing, errors, leftovers), and what they were. */
  problems: string[];
  runs: number;
}

export function range(xs: readonly number[]): Range | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]! };
}

/** routes/s of one phase of one run, or undefined when the phase did not complete. */
export function rateOf(r: RunRecord, p: PhaseName): number | undefined {
  const ph = r.phases[p];
  if (!ph || !(ph.ms > 0)) return undefined;
  return (r.sample ?? r.n) / (ph.ms / 1000);
}

/** Checks one run's counts; returns what does not add up. */
export function checkRun(r: RunRecord): string[] {
  const want = r.sample ?? r.n;
  const out: string[] = [];
  for (const p of PHASES) {
    const ph = r.phases[p];
    if (!ph) continue;
    if (ph.errors) out.push(`${p}: ${ph.errors} errors (${ph.firstError ?? 'no text'})`);
    else if (ph.count !== want) out.push(`${p}: ${ph.count} of ${want} routes accounted for`);
  }
  if (r.leftover) out.push(`${r.leftover} routes left in the table afterwards`);
  if (r.error) out.push(r.error);
  return out;
}

export function summarise(records: readonly RunRecord[], limitTool: string): ToolSummary[] {
  const out: ToolSummary[] = [];
  const keys = new Map<string, RunRecord[]>();
  for (const r of records) {
    const k = `${r.n}\0${r.tool}`;
    let list = keys.get(k);
    if (!list) keys.set(k, (list = []));
    list.push(r);
  }
  for (const runs of keys.values()) {
    const first = runs[0]!;
    const s: ToolSummary = { n: first.n, tool: first.tool, phases: {}, problems: [], runs: runs.length };
    if (first.sample !== undefined) s.sample = first.sample;
    for (const p of PHASES) {
      const rates: number[] = [];
      const ratios: number[] = [];
      const user: number[] = [];
      const sys: number[] = [];
      let peak = 0;
      let growth = 0;
      for (const r of runs) {
        const rate = rateOf(r, p);
        if (rate === undefined) continue;
        rates.push(rate);
        const ph = r.phases[p];
        if (ph?.userMs !== undefined && ph.sysMs !== undefined) {
          user.push((ph.userMs * 1000) / (r.sample ?? r.n));
          sys.push((ph.sysMs * 1000) / (r.sample ?? r.n));
        }
        peak = Math.max(peak, r.phases[p]?.peakKb ?? 0);
        const ph0 = r.phases[p];
        if (ph0?.peakKb !== undefined && ph0.startKb !== undefined) growth = Math.max(growth, ph0.peakKb - ph0.startKb);
        const lim = records.find((x) => x.tool === limitTool && x.n === r.n && x.run === r.run);
        const limRate = lim ? rateOf(lim, p) : undefined;
        if (limRate) ratios.push(rate / limRate);
      }
      const rate = range(rates);
      if (!rate) continue;
      const ps: PhaseSummary = { rate, runs: rates.length };
      const ratio = range(ratios);
      if (ratio) ps.ratio = ratio;
      if (peak) ps.peakKb = peak;
      if (growth) ps.growthKb = growth;
      const u = range(user);
      const k = range(sys);
      if (u && k) {
        ps.userUs = u;
        ps.sysUs = k;
      }
      s.phases[p] = ps;
    }
    const rss = Math.max(0, ...runs.map((r) => r.maxRssKb ?? 0));
    if (rss) s.maxRssKb = rss;
    const base = runs.map((r) => r.baselineKb).filter((x): x is number => x !== undefined);
    if (base.length) s.baselineKb = Math.min(...base);
    for (const r of runs) for (const p of r.problems) s.problems.push(`run ${r.run}: ${p}`);
    out.push(s);
  }
  return out;
}
