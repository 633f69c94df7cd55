// What a bench run leaves: the text on stdout, bench/results/<date>.json (everything measured, so
// the rest can be redrawn from it: `npm run bench -- --report bench/results/<date>.json`), the SVG
// chart beside it, and the tables in bench/README.md between its results markers.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chartSvg } from './chart.js';
import type { PhaseProfile } from './profile.js';
import { profileText } from './profile.js';
import {
  cpuTable,
  dumpCurveText,
  markdownTable,
  sizeLabel,
  skippedText,
  targetText,
  targets,
  textTable,
  threadText,
  type ToolInfo,
} from './report.js';
import { summarise, type RunRecord, type ToolSummary } from './stats.js';

/** The JSON of one run. */
export interface SavedRun {
  date: string;
  machine: {
    kernel: string;
    cpus: number;
    cpu?: string | undefined;
    memoryMb: number;
    node: string;
    loadBefore: number[];
    loadAfter: number[];
  };
  options: {
    runs: number;
    sizes: number[];
    forkSample: number;
    allSizes: boolean;
    nice: number;
    full: boolean;
    tools: string[] | 'all';
    /** $RTNL_BENCH_NODE_FLAGS: node options the rtnetlink drivers ran with (absent: none). */
    nodeFlags?: string[];
  };
  durationS: number;
  revision: { commit?: string; dirty?: boolean };
  namespace: { built: string[] };
  tools: (ToolInfo & { version?: string | undefined })[];
  /** Per N, the tools that were ready but not run there, and why. */
  notRun: Record<string, string>;
  limit: string;
  summary: ToolSummary[];
  targets: ReturnType<typeof targets>;
  profiles: { n: number; tool: string; file?: string; phases: PhaseProfile[] }[];
  records: RunRecord[];
}

/** Recomputes the summary and targets from the records (so a --report uses the current rules). */
export function finishRun(run: SavedRun): SavedRun {
  run.summary = summarise(run.records, run.limit);
  run.targets = targets(run.summary, run.options.sizes);
  return run;
}

export function printRun(run: SavedRun): void {
  const { sizes } = run.options;
  const rows = run.summary;
  const text: string[] = [];
  for (const n of sizes) text.push([textTable(n, rows, run.tools), run.notRun[n] ?? ''].filter(Boolean).join('\n'));
  for (const n of sizes) text.push(cpuTable(n, rows, run.tools));
  for (const n of sizes) text.push(threadText(n, run.records, run.tools));
  for (const n of sizes) text.push(dumpCurveText(n, run.records, run.tools));
  process.stdout.write(`\n${text.filter(Boolean).join('\n\n')}\n\n`);
  if (run.records.some((r) => r.sample !== undefined))
    process.stdout.write(`~ = extrapolated from a sample of ${run.options.forkSample} routes per phase\n`);
  if (rows.some((r) => r.problems.length))
    process.stdout.write(`! = some runs did not account for every route (see problems in the JSON)\n`);
  const skipped = skippedText(run.tools);
  if (skipped) process.stdout.write(`${skipped}\n`);
  const flags = nodeFlagsText(run);
  if (flags) process.stdout.write(`${flags}\n`);
  process.stdout.write(`\ntargets of issue 7 (medians; informative, never a failure):\n${targetText(run.targets)}\n`);
  for (const p of run.profiles)
    process.stdout.write(
      `\n${profileText(`${p.tool} N=${sizeLabel(p.n)}${p.file ? ` (${p.file})` : ''}`, p.phases)}\n`,
    );
}

/** Says which node options the rtnetlink drivers ran with, when they were not Node's defaults. */
function nodeFlagsText(run: SavedRun): string {
  const f = run.options.nodeFlags;
  return f?.length
    ? `the rtnetlink drivers ran with node ${f.join(' ')} (RTNL_BENCH_NODE_FLAGS), not Node's defaults`
    : '';
}

function markdown(run: SavedRun, file: string): string {
  const { sizes } = run.options;
  const rows = run.summary;
  const m = run.machine;
  const day = run.date.slice(0, 10);
  const skipped = skippedText(run.tools);
  const head = [
    `Run of ${day}: \`npm run bench${run.options.full ? ' -- --full' : ''}\`, ${run.options.runs} runs, ${Math.round(run.durationS / 60)} minutes, commit ${run.revision.commit?.slice(0, 7) ?? '?'}${run.revision.dirty ? ' with local changes' : ''}, kernel ${m.kernel}, ${m.cpus} CPUs, node ${m.node}, load average ${m.loadBefore[0]?.toFixed(1)} before and ${m.loadAfter[0]?.toFixed(1)} after (other work on the machine widens min–max).`,
    `Cells: median routes/s (median ratio to the C limit of the same run), min–max of both below. Raw figures: [results/${file}.json](results/${file}.json), chart: [results/${file}.svg](results/${file}.svg).`,
    skipped
      ? skipped
          .split('\n')
          .map((l) => `- ${l}`)
          .join('\n')
      : '',
    nodeFlagsText(run),
  ];
  const goals = `Targets of issue 7 (medians; a bench never fails on them):\n\n${run.targets.map((c) => `- ${c.met === undefined ? '?' : c.met ? 'met' : '**missed**'}: ${c.target}: ${c.value}`).join('\n')}`;
  const tables = [
    ...sizes.map((n) => [markdownTable(n, rows, run.tools), run.notRun[n] ?? ''].filter(Boolean).join('\n\n')),
    "CPU µs per route, user space + kernel (medians over the runs, every thread of the tool's process):",
    ...sizes.map((n) => `N = ${sizeLabel(n)}:\n\n${cpuTable(n, rows, run.tools, true)}`),
    ...sizes.map((n) => threadText(n, run.records, run.tools).replace(/^ {2}/gm, '- ')),
    ...sizes.map((n) => dumpCurveText(n, run.records, run.tools).replace(/^ {2}/gm, '- ')),
  ];
  return [...head, ...tables, goals].filter(Boolean).join('\n\n');
}

function updateReadme(path: string, body: string): void {
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  const begin = '<!-- results:begin -->';
  const end = '<!-- results:end -->';
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return;
  writeFileSync(path, `${text.slice(0, a + begin.length)}\n${body}\n${text.slice(b)}`);
}

/** Writes <outDir>/<date>.json and .svg; with readme, the tables into that README's markers. */
export function saveRun(run: SavedRun, outDir: string, readme: string | undefined): string {
  mkdirSync(outDir, { recursive: true });
  const file = run.date.slice(0, 10);
  const base = join(outDir, file);
  writeFileSync(`${base}.json`, JSON.stringify(run, null, 1) + '\n');
  const m = run.machine;
  writeFileSync(
    `${base}.svg`,
    chartSvg({
      title: `rtnetlink route churn, ${file} (${m.kernel}, ${m.cpus} CPUs, node ${m.node})`,
      sizes: run.options.sizes,
      tools: run.tools,
      rows: run.summary,
    }),
  );
  if (readme) updateReadme(readme, markdown(run, basename(base)));
  return base;
}

export function loadRun(path: string): SavedRun {
  const run = JSON.parse(readFileSync(path, 'utf8')) as Partial<SavedRun> & Pick<SavedRun, 'options' | 'records'>;
  // Files from before a field existed.
  run.notRun ??= {};
  run.limit ??= 'c-batch';
  run.profiles ??= [];
  run.options.full ??= run.options.sizes.includes(1_000_000);
  return run as SavedRun;
}
