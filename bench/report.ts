// How the figures read: a table per N for the terminal (median routes/s and ratio to the limit on
// one line, min–max of both under it), the same as Markdown for bench/README.md, and the issue's
// targets checked against the medians (informative only: a bench never fails on a figure).
import { PHASES, type PhaseName } from './peers/common.js';
import { range, type Range, type RunRecord, type ToolSummary } from './stats.js';

export interface ToolInfo {
  id: string;
  label: string;
  skipped?: string;
}

/** 440123 → '440 k', 4351234 → '4.35 M', 12345 → '12.3 k', 98 → '98'. */
export function si(x: number): string {
  const fmt = (v: number, unit: string): string =>
    `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${unit}`;
  if (x >= 1e6) return fmt(x / 1e6, ' M');
  if (x >= 1e3) return fmt(x / 1e3, ' k');
  return x >= 10 ? x.toFixed(0) : x.toFixed(1);
}

export function mb(kb: number | undefined): string {
  if (kb === undefined) return '—';
  return kb >= 10240 ? `${(kb / 1024).toFixed(0)} MB` : `${(kb / 1024).toFixed(1)} MB`;
}

const ratioText = (r: Range | undefined, part: keyof Range): string => (r ? `${r[part].toFixed(2)}` : '');

export function sizeLabel(n: number): string {
  return n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6} M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3} k` : String(n);
}

function cell(s: ToolSummary, p: PhaseName): [string, string] {
  const ph = s.phases[p];
  if (!ph) return ['—', ''];
  const approx = s.sample !== undefined && s.sample < s.n ? '~' : '';
  const top = `${approx}${si(ph.rate.median)}${ph.ratio ? ` (${ratioText(ph.ratio, 'median')})` : ''}`;
  const bottom =
    ph.runs > 1
      ? `${si(ph.rate.min)}–${si(ph.rate.max)}${ph.ratio ? ` (${ratioText(ph.ratio, 'min')}–${ratioText(ph.ratio, 'max')})` : ''}`
      : '';
  return [top, bottom];
}

function pad(s: string, w: number, right = false): string {
  const len = [...s].length;
  return right ? ' '.repeat(Math.max(0, w - len)) + s : s + ' '.repeat(Math.max(0, w - len));
}

/** The terminal table for one N. */
export function textTable(n: number, rows: ToolSummary[], tools: ToolInfo[]): string {
  const head = ['tool', ...PHASES, 'peak RSS'];
  const lines: string[][] = [head];
  for (const t of tools) {
    const s = rows.find((r) => r.tool === t.id && r.n === n);
    if (!s) continue;
    const cells = PHASES.map((p) => cell(s, p));
    const flag = s.problems.length ? ' !' : '';
    lines.push([t.label + flag, ...cells.map((c) => c[0]), mb(s.maxRssKb)]);
    if (cells.some((c) => c[1])) lines.push(['', ...cells.map((c) => c[1]), '']);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => [...(l[i] ?? '')].length)));
  const out = [`N = ${sizeLabel(n)}: routes/s median (ratio to the limit), min–max under it`];
  for (const [k, l] of lines.entries()) {
    out.push(l.map((c, i) => pad(c, widths[i]!, i > 0)).join('  '));
    if (k === 0) out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  return out.join('\n');
}

/** CPU per route for one N: user-space µs + kernel µs (medians), the part wall time hides under load. */
export function cpuTable(n: number, rows: ToolSummary[], tools: ToolInfo[], markdown = false): string {
  const lines: string[][] = [['tool', ...PHASES]];
  for (const t of tools) {
    const s = rows.find((r) => r.tool === t.id && r.n === n);
    if (!s || !PHASES.some((p) => s.phases[p]?.userUs)) continue;
    lines.push([
      t.label,
      ...PHASES.map((p) => {
        const ph = s.phases[p];
        return ph?.userUs && ph.sysUs ? `${ph.userUs.median.toFixed(2)} + ${ph.sysUs.median.toFixed(2)}` : '—';
      }),
    ]);
  }
  if (markdown) {
    const [head, ...body] = lines;
    return [
      `| ${head!.join(' | ')} |`,
      `| ${head!.map(() => '---').join(' | ')} |`,
      ...body.map((l) => `| ${l.join(' | ')} |`),
    ].join('\n');
  }
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => [...(l[i] ?? '')].length)));
  const out = [
    `N = ${sizeLabel(n)}: CPU µs per route, user space + kernel (medians; all threads of the tool's process)`,
  ];
  for (const [k, l] of lines.entries()) {
    out.push(l.map((c, i) => pad(c, widths[i]!, i > 0)).join('  '));
    if (k === 0) out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  return out.join('\n');
}

/** The Markdown table for one N (bench/README.md, issue notes). */
export function markdownTable(n: number, rows: ToolSummary[], tools: ToolInfo[]): string {
  const out = [
    `| tool | N | ${PHASES.join(' | ')} | peak RSS |`,
    `| --- | --- | ${PHASES.map(() => '---').join(' | ')} | --- |`,
  ];
  for (const t of tools) {
    const s = rows.find((r) => r.tool === t.id && r.n === n);
    if (!s) continue;
    const cells = PHASES.map((p) => {
      const [top, bottom] = cell(s, p);
      return bottom ? `${top}<br><sub>${bottom}</sub>` : top;
    });
    const mark = s.problems.length ? ' ⚠' : '';
    out.push(`| ${t.label}${mark} | ${sizeLabel(n)} | ${cells.join(' | ')} | ${mb(s.maxRssKb)} |`);
  }
  return out.join('\n');
}

export interface TargetCheck {
  target: string;
  value: string;
  met: boolean | undefined;
}

/** The targets of issue 7, read off the medians (undefined where a figure is missing). */
export function targets(rows: ToolSummary[], sizes: number[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const at = (tool: string, n: number): ToolSummary | undefined => rows.find((r) => r.tool === tool && r.n === n);
  const med = (s: ToolSummary | undefined, p: PhaseName): number | undefined => s?.phases[p]?.rate.median;
  const ratio = (s: ToolSummary | undefined, p: PhaseName): number | undefined => s?.phases[p]?.ratio?.median;
  const push = (
    target: string,
    v: number | undefined,
    ok: (v: number) => boolean,
    show: (v: number) => string,
  ): void => {
    out.push({ target, value: v === undefined ? 'not measured' : show(v), met: v === undefined ? undefined : ok(v) });
  };
  const times = (v: number): string => `${v.toFixed(2)}×`;
  for (const n of sizes) {
    const bulk = at('rtnetlink-bulk', n);
    const N = sizeLabel(n);
    for (const [p, fn] of [
      ['add', 'addMany'],
      ['replace', 'replaceMany'],
      ['delete', 'delMany'],
    ] as const)
      push(`N=${N} ${fn} ≥ 0.8× the C limit`, ratio(bulk, p), (v) => v >= 0.8, times);
    for (const [tool, dev] of [
      ['rtnetlink-each-ifindex', 'dev: its index'],
      ['rtnetlink-each', "dev: 'veth0'"],
    ] as const)
      push(
        `N=${N} route.add × N via Promise.all (${dev}) ≥ 0.5× the limit`,
        ratio(at(tool, n), 'add'),
        (v) => v >= 0.5,
        times,
      );
    push(
      `N=${N} dump() ≥ 1,000,000 routes/s`,
      med(bulk, 'dump'),
      (v) => v >= 1e6,
      (v) => `${si(v)}/s`,
    );
    const vs = (tool: string, p: PhaseName, k: number, what: string): void => {
      const a = med(bulk, p);
      const b = med(at(tool, n), p);
      if (b === undefined) return;
      push(`N=${N} ${what} ≥ ${k}× ${tool}`, a === undefined ? undefined : a / b, (v) => v >= k, times);
    };
    for (const [p, fn] of [
      ['add', 'addMany'],
      ['replace', 'replaceMany'],
      ['delete', 'delMany'],
    ] as const) {
      vs('ip-batch', p, 9, fn);
      vs('go-netlink', p, 4, fn);
      vs('npm-netlink', p, 12, fn);
    }
    vs('ip-batch', 'dump', 4, 'dump()');
    vs('go-netlink', 'dump', 5, 'dump()');
    vs('npm-netlink', 'dump', 5, 'dump()');
    vs('pyroute2-loop', 'dump', 5, 'dump()');
    const dump = bulk?.phases.dump;
    if (dump?.peakKb !== undefined && bulk?.baselineKb !== undefined) {
      push(
        `N=${N} dump() peak RSS above the process baseline < 150 MB`,
        (dump.peakKb - bulk.baselineKb) / 1024,
        (v) => v < 150,
        (v) => `${v.toFixed(0)} MB`,
      );
    }
    if (dump?.growthKb !== undefined) {
      // The literal target counts what addMany left in the heap before the dump; this is the dump's own share.
      push(
        `N=${N} dump() RSS growth during the dump itself < 150 MB`,
        dump.growthKb / 1024,
        (v) => v < 150,
        (v) => `${v.toFixed(0)} MB`,
      );
    }
  }
  // Flat cost: CPU µs per route (user + kernel) at the largest N against the next one down. The
  // smallest N is left out of this when there are three: its figures carry the JIT's warm-up.
  const sorted = [...sizes].sort((a, b) => a - b);
  if (sorted.length > 1) {
    const hi = sorted[sorted.length - 1]!;
    const lo = sorted[sorted.length - 2]!;
    const cpu = (n: number, p: PhaseName): number | undefined => {
      const ph = at('rtnetlink-bulk', n)?.phases[p];
      return ph?.userUs && ph.sysUs ? ph.userUs.median + ph.sysUs.median : undefined;
    };
    for (const p of PHASES) {
      const a = cpu(lo, p);
      const b = cpu(hi, p);
      out.push({
        target: `cost per route flat from ${sizeLabel(lo)} to ${sizeLabel(hi)} (${p}: CPU µs per route, ≤ 1.33× allowed)`,
        value: a && b ? `${a.toFixed(2)} → ${b.toFixed(2)} µs (${(b / a).toFixed(2)}×)` : 'not measured',
        met: a && b ? b / a <= 1.33 : undefined,
      });
    }
  }
  return out;
}

export function targetText(checks: TargetCheck[]): string {
  return checks
    .map((c) => `${c.met === undefined ? '  ?' : c.met ? ' ok' : 'MISS'}  ${c.target}: ${c.value}`)
    .join('\n');
}

export function skippedText(tools: ToolInfo[]): string {
  return tools
    .filter((t) => t.skipped)
    .map((t) => `skipped ${t.label}: ${t.skipped ?? ''}`)
    .join('\n');
}

/**
 * When each tenth of a dump's routes had been read (the rtnetlink drivers' `tenthsMs`: a fresh
 * process's first dump, or in the warm row the dump after its unmeasured rounds): medians over the
 * runs, when the first route had (`firstMs`), and the rates of the first and of the last tenth.
 */
export function dumpCurveText(n: number, records: readonly RunRecord[], tools: ToolInfo[]): string {
  const out: string[] = [];
  for (const t of tools) {
    const runs = records.filter((r) => r.tool === t.id && r.n === n);
    const curves = runs.map((r) => r.phases.dump?.tenthsMs).filter((c): c is number[] => c?.length === 10);
    if (!curves.length) continue;
    const median = (f: (c: number[]) => number): number => range(curves.map(f))!.median;
    const marks = [...Array(10).keys()].map((k) => median((c) => c[k]!));
    const rate = (ms: number): string => (ms > 0 ? si((n / 10 / ms) * 1000) : '∞');
    const first = rate(median((c) => c[0]!));
    const last = rate(median((c) => c[9]! - c[8]!));
    const firstRoute = range(runs.map((r) => r.phases.dump?.firstMs).filter((x): x is number => x !== undefined));
    const firstText = firstRoute ? `first route at ${firstRoute.median.toFixed(1)} ms, ` : '';
    out.push(
      `  ${t.label}: ${marks.map((x) => x.toFixed(0)).join(' ')} ms; ${firstText}first tenth ${first}/s, last tenth ${last}/s`,
    );
  }
  return out.length
    ? `N = ${sizeLabel(n)}: dump(), ms until each tenth of the routes was read (medians)\n${out.join('\n')}`
    : '';
}

/** Where a Node tool's CPU went, µs per route (medians): its JS thread, its socket thread, the rest (V8's GC helpers, libuv). */
export function threadText(n: number, records: readonly RunRecord[], tools: ToolInfo[]): string {
  const out: string[] = [];
  for (const t of tools) {
    const runs = records.filter((r) => r.tool === t.id && r.n === n);
    const parts: string[] = [];
    for (const p of PHASES) {
      const per: Record<string, number[]> = {};
      for (const r of runs) {
        const th = r.phases[p]?.threads;
        if (!th) continue;
        for (const [g, v] of Object.entries(th))
          (per[g] ??= []).push(((v.userMs + v.sysMs) * 1000) / (r.sample ?? r.n));
      }
      const groups = ['js', 'io', 'other'].filter((g) => per[g]?.length);
      if (groups.length)
        parts.push(`${p} ${groups.map((g) => `${g} ${range(per[g]!)!.median.toFixed(2)}`).join(' / ')}`);
    }
    if (parts.length) out.push(`  ${t.label}: ${parts.join('; ')}`);
  }
  return out.length
    ? `N = ${sizeLabel(n)}: CPU µs per route by thread (js = the JS thread, io = the socket's I/O thread, other = V8's GC and JIT helper threads, libuv)\n${out.join('\n')}`
    : '';
}
