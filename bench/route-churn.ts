// `npm run bench`: the route-churn benchmark of issue 7. In a throwaway namespace it creates (and
// always removes), each tool adds N host routes 10.x.y.z/32 via 192.168.0.2 dev veth0, dumps them,
// replaces them (via 192.168.0.3) and deletes them by dst; for N = 10,000 and 100,000 (1,000,000 with
// --full), --runs times each (default 3). Prints a progress bar on stderr, then a table of routes/s
// per phase (min / median / max) with the ratio to the C limit of the same run, and writes
// bench/results/<date>.json and .svg, and the tables into bench/README.md.
// A figure never fails the run: the exit status only says whether the bench itself worked.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, release, setPriority, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { killChildren, hasGnuTime } from './child.js';
import { finishRun, loadRun, printRun, saveRun } from './output.js';
import { PHASES, type DriverResult, type PhaseName } from './peers/common.js';
import { readProfile, summariseProfile, type PhaseProfile } from './profile.js';
import { Progress } from './progress.js';
import { sizeLabel, type ToolInfo } from './report.js';
import { createBenchNs, flushLeftovers, removeStale, removeSync, type BenchNs } from './setup.js';
import { inSnapshot, runFromSnapshot } from './snapshot.js';
import { checkRun, type RunRecord } from './stats.js';
import { allTools, BUILD_DIR, DRIVER_NODE_FLAGS, ROOT, type Tool, type ToolOutcome } from './tools.js';

interface Options {
  runs: number;
  sizes: number[];
  tools: string[] | undefined;
  allSizes: boolean;
  forkSample: number;
  profile: boolean;
  diagnostics: boolean;
  full: boolean;
  nice: number;
  report: string | undefined;
  save: boolean;
  out: string;
}

const HELP = `usage: npm run bench -- [options]
  --runs K          repetitions per tool and N (default 3)
  --full            add N = 1,000,000 to 10,000 and 100,000
  --sizes A,B       the N values (overrides --full)
  --tools ID,ID     only these tools (${allTools()
    .map((t) => t.id)
    .join(', ')})
  --all-sizes       run the slow peers (pyroute2: 10,000 by default, 100,000 with --full) at every N
  --fork-sample S   routes per phase for 'ip route add' forked per route (default 500)
  --diagnostics     also run the diagnostic tools (engine-raw: the Engine without lib/route;
                    rtnetlink-bulk-warm: the bulk workload after 3 unmeasured rounds in the process)
  --profile         also run the rtnetlink tools once per N under node --cpu-prof and summarise them
  --nice N          run the harness and every tool at nice N (e.g. -10 on a shared machine; root)
  --no-save         print only (no bench/results files, no README update)
  --report FILE     no run: redraw the tables, SVG and README section from a saved results JSON
  --no-snapshot     run the build in place (by default a private copy of dist/ and the addon is run,
                    so a rebuild in the working tree during the run cannot mix versions)
  --out DIR         where results go (default bench/results)`;

function parseArgs(argv: string[]): Options {
  const o: Options = {
    runs: 3,
    sizes: [10_000, 100_000],
    tools: undefined,
    allSizes: false,
    forkSample: 500,
    profile: false,
    diagnostics: false,
    full: false,
    nice: 0,
    report: undefined,
    save: true,
    out: join(ROOT, 'bench', 'results'),
  };
  let sizes: number[] | undefined;
  const ids = new Set(allTools().map((t) => t.id));
  const int = (v: string | undefined, name: string, min: number, max: number): number => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < min || x > max)
      throw new RangeError(`--${name} must be an integer in ${min}..${max}, got ${String(v)}`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string | undefined => argv[++i];
    if (a === '--runs') o.runs = int(next(), 'runs', 1, 100);
    else if (a === '--full') o.full = true;
    else if (a === '--sizes')
      sizes = (next() ?? '').split(',').map((s) => int(s.replace(/_/g, ''), 'sizes', 1, 1 << 24));
    else if (a === '--tools') {
      o.tools = (next() ?? '').split(',');
      for (const t of o.tools)
        if (!ids.has(t)) throw new TypeError(`--tools: unknown tool ${t} (known: ${[...ids].join(', ')})`);
    } else if (a === '--all-sizes') o.allSizes = true;
    else if (a === '--fork-sample') o.forkSample = int(next(), 'fork-sample', 1, 100_000);
    else if (a === '--profile') o.profile = true;
    else if (a === '--diagnostics') o.diagnostics = true;
    else if (a === '--nice') o.nice = int(next(), 'nice', -20, 19);
    else if (a === '--no-save') o.save = false;
    else if (a === '--no-snapshot') continue;
    else if (a === '--report') o.report = next();
    else if (a === '--out') o.out = next() ?? o.out;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(HELP + '\n');
      process.exit(0);
    } else throw new TypeError(`unknown option ${a}\n${HELP}`);
  }
  o.sizes = sizes ?? (o.full ? [10_000, 100_000, 1_000_000] : o.sizes);
  return o;
}

function applies(t: Tool, n: number, o: Options): boolean {
  if (t.smallestOnly && n !== Math.min(...o.sizes)) return false;
  if (o.allSizes) return true;
  const max = o.full ? (t.maxNFull ?? t.maxN) : t.maxN;
  return max === undefined || n <= max;
}

// ---- cleanup, whatever happens ----

let bench: BenchNs | undefined;
function cleanup(): void {
  killChildren();
  if (bench) {
    removeSync(bench.name);
    bench = undefined;
  }
}
function installCleanup(): void {
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, removing the namespace\n`);
      cleanup();
      process.exit(130);
    });
  }
}

async function runTool(
  t: Tool,
  ns: BenchNs,
  n: number,
  o: Options,
  progress: Progress,
  prefix: string,
): Promise<ToolOutcome> {
  let counted = 0;
  const label = (p: string): string => `${prefix} ${t.id}: ${p}`;
  progress.show(label('start'));
  progress.note(label('running'));
  const outcome = await t.run({
    env: ns,
    n,
    forkSample: o.forkSample,
    onPhase: (p) => {
      if (counted > 0 || p !== 'add') {
        progress.step(label(p));
        counted++;
      } else progress.show(label(p));
    },
  });
  progress.step(label('done'), Math.max(0, PHASES.length - counted));
  return outcome;
}

async function profileRuns(
  tools: Tool[],
  ns: BenchNs,
  o: Options,
  progress: Progress,
): Promise<{ n: number; tool: string; file: string; phases: PhaseProfile[] }[]> {
  const dir = join(BUILD_DIR, 'profiles');
  mkdirSync(dir, { recursive: true });
  const out: { n: number; tool: string; file: string; phases: PhaseProfile[] }[] = [];
  for (const t of tools.filter((x) => x.id.startsWith('rtnetlink') || x.id === 'engine-raw')) {
    for (const n of o.sizes) {
      const name = `${t.id}-${n}.cpuprofile`;
      progress.show(`profile ${t.id} N=${sizeLabel(n)}`);
      const r = await t.run({ env: ns, n, forkSample: o.forkSample, onPhase: () => undefined, profile: { dir, name } });
      flushLeftovers(ns);
      progress.step(`profile ${t.id} N=${sizeLabel(n)} done`, PHASES.length);
      const file = join(dir, name);
      if (!existsSync(file)) {
        progress.log(`profile ${t.id} N=${sizeLabel(n)}: no profile written (${r.error ?? r.skip ?? 'unknown'})`);
        continue;
      }
      out.push({
        n,
        tool: t.id,
        file,
        phases: summariseProfile(readProfile(file), r.result as DriverResult | undefined),
      });
    }
  }
  return out;
}

/** The commit measured, and whether lib/ or native/ differed from it (a bench of uncommitted code). */
function revision(): { commit?: string; dirty?: boolean } {
  try {
    const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty =
      execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'lib', 'native', 'types'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() !== '';
    return { commit, dirty };
  } catch {
    return {};
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.report) return report(o.report, o);
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench: needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create its network namespace\n');
    process.exit(1);
  }
  if (o.nice) setPriority(o.nice); // children inherit it
  const load0 = loadavg();
  const stale = removeStale();
  if (stale.length) process.stderr.write(`bench: removed stale namespaces ${stale.join(', ')}\n`);

  const tools = allTools().filter((t) => (o.tools ? o.tools.includes(t.id) : !t.diagnostic || o.diagnostics));
  const infos: ToolInfo[] = [];
  for (const t of tools) {
    const why = await t.prepare();
    infos.push({ id: t.id, label: t.label, ...(why ? { skipped: why } : {}) });
  }
  const skipped = (id: string): boolean => infos.find((i) => i.id === id)?.skipped !== undefined;
  const limit = tools.find((t) => t.limit);
  if (!limit || skipped(limit.id))
    process.stderr.write(
      `bench: the C limit is not available (${infos.find((i) => i.id === 'c-batch')?.skipped ?? 'not selected'}): no ratios\n`,
    );
  if (!hasGnuTime)
    process.stderr.write(
      'bench: /usr/bin/time (GNU time) is missing: peak RSS comes from the drivers themselves, none for ip\n',
    );

  bench = await createBenchNs();
  const ns = bench;
  let total = 0;
  for (const n of o.sizes)
    for (const t of tools) if (!skipped(t.id) && applies(t, n, o)) total += PHASES.length * o.runs;
  if (o.profile)
    total +=
      PHASES.length *
      o.sizes.length *
      tools.filter((t) => (t.id.startsWith('rtnetlink') || t.id === 'engine-raw') && !skipped(t.id)).length;
  const progress = new Progress(total);
  const records: RunRecord[] = [];
  const started = new Date();
  const rev = revision();

  for (const n of o.sizes) {
    // One untimed round of the limit first: the first tool at a new N would otherwise also pay
    // for the kernel's slab caches and FIB trie growing, which later tools find warm.
    if (limit && !skipped(limit.id)) {
      progress.show(`N=${sizeLabel(n)} warm-up`);
      await limit.run({ env: ns, n, forkSample: o.forkSample, onPhase: () => undefined });
      flushLeftovers(ns);
    }
    for (let run = 1; run <= o.runs; run++) {
      for (const t of tools) {
        if (skipped(t.id) || !applies(t, n, o)) continue;
        const prefix = `N=${sizeLabel(n)} run ${run}/${o.runs}`;
        const out = await runTool(t, ns, n, o, progress, prefix);
        if (out.skip !== undefined) {
          const info = infos.find((i) => i.id === t.id);
          if (info) info.skipped = out.skip;
          progress.log(`skipping ${t.label}: ${out.skip}`);
          // This run's steps are counted; the tool's later runs will not happen.
          const ni = o.sizes.indexOf(n);
          let later = applies(t, n, o) ? o.runs - run : 0;
          for (const m of o.sizes.slice(ni + 1)) if (applies(t, m, o)) later += o.runs;
          progress.addTotal(-later * PHASES.length);
          continue;
        }
        const rec: RunRecord = { n, tool: t.id, run, phases: {}, problems: [] };
        const res = out.result;
        if (res) {
          for (const p of PHASES) {
            const ph = res.phases[p];
            if (ph) rec.phases[p as PhaseName] = ph;
          }
          if (res.baselineKb !== undefined) rec.baselineKb = res.baselineKb;
        }
        const rss = Math.max(out.maxRssKb ?? 0, res?.vmHwmKb ?? 0);
        if (rss) rec.maxRssKb = rss;
        if (out.sample !== undefined) rec.sample = out.sample;
        if (out.error) rec.error = out.error;
        rec.leftover = flushLeftovers(ns);
        rec.problems = checkRun(rec);
        if (rec.problems.length) progress.log(`${prefix} ${t.id}: ${rec.problems.join('; ')}`);
        records.push(rec);
      }
    }
  }

  const profiles = o.profile
    ? await profileRuns(
        tools.filter((t) => !skipped(t.id)),
        ns,
        o,
        progress,
      )
    : [];
  progress.end();
  cleanup();

  const notRun: Record<string, string> = {};
  for (const n of o.sizes) {
    const names = tools
      .filter((t) => !skipped(t.id) && !applies(t, n, o))
      .map((t) =>
        t.smallestOnly
          ? `${t.label} (only at the smallest N)`
          : `${t.label} (slow: ${o.full ? '--all-sizes' : '--full or --all-sizes'} runs it here)`,
      );
    if (names.length) notRun[n] = `not run at N = ${sizeLabel(n)}: ${names.join('; ')}`;
  }
  const run = finishRun({
    date: started.toISOString(),
    machine: {
      kernel: release(),
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryMb: Math.round(totalmem() / 2 ** 20),
      node: process.version,
      // The 1/5/15-minute load averages: other work on the machine shows up as wide min–max.
      loadBefore: load0,
      loadAfter: loadavg(),
    },
    options: {
      runs: o.runs,
      sizes: o.sizes,
      forkSample: o.forkSample,
      allSizes: o.allSizes,
      nice: o.nice,
      full: o.full,
      tools: o.tools ?? 'all',
      ...(DRIVER_NODE_FLAGS.length ? { nodeFlags: DRIVER_NODE_FLAGS } : {}),
    },
    durationS: Math.round((Date.now() - started.getTime()) / 1000),
    revision: rev,
    namespace: { built: ns.built },
    tools: infos.map((i) => ({ ...i, version: tools.find((t) => t.id === i.id)?.version })),
    notRun,
    limit: limit?.id ?? 'c-batch',
    summary: [],
    targets: [],
    profiles: profiles.map((p) => ({ n: p.n, tool: p.tool, file: p.file, phases: p.phases })),
    records,
  });
  printRun(run);
  if (o.save) {
    const base = saveRun(run, o.out, o.tools ? undefined : join(ROOT, 'bench', 'README.md'));
    process.stdout.write(
      `\nwrote ${base}.json and ${base}.svg${o.tools ? '' : ', and the tables into bench/README.md'}\n`,
    );
  }
}

/** --report FILE: redraws the text, the SVG and the README tables from a saved run. */
function report(file: string, o: Options): void {
  const run = finishRun(loadRun(file));
  printRun(run);
  if (o.save) {
    const base = saveRun(run, dirname(file), join(ROOT, 'bench', 'README.md'));
    process.stdout.write(`\nrewrote ${base}.json and ${base}.svg, and the tables in bench/README.md\n`);
  }
}

async function entry(): Promise<void> {
  if (
    !inSnapshot() &&
    !process.argv.includes('--no-snapshot') &&
    !process.argv.includes('--help') &&
    !process.argv.includes('-h')
  ) {
    process.exit(await runFromSnapshot(ROOT, join('bench', 'route-churn.js')));
  }
  installCleanup();
  await main();
}

entry().catch((e: unknown) => {
  cleanup();
  process.stderr.write(`\nbench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
