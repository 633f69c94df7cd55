// iproute2 as a route-churn peer, driven from the harness process (the tool is `ip` itself):
//  - `ip -n NS -batch FILE` per phase, the batch files written before the clock starts; the dump is
//    `ip -n NS -4 route show table main` with its lines counted. Timed spawn → exit (process hrtime),
//    so `ip`'s start-up and its parsing of the batch file are included, as they are for a user.
//  - `ip -n NS route add …` forked once per route, on a sample (default 500) of the N routes, timed
//    the same way and extrapolated (marked so in the report). No dump phase: one fork is one route.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild, type ChildOutcome } from '../child.js';
import { routeDst, type DriverResult, type PhaseName, type PhaseResult } from './common.js';

export interface IpEnv {
  /** The namespace's name under /run/netns. */
  name: string;
  dev: string;
  gw: string;
  gw2: string;
}

/** What the harness gets back: the driver-shaped result plus the tool's peak RSS. */
export interface IpOutcome {
  result?: DriverResult;
  maxRssKb?: number;
  error?: string;
}

function batchFile(dir: string, name: string, n: number, line: (dst: string) => string): string {
  const path = join(dir, `${name}.batch`);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(line(`${routeDst(i)}/32`));
  writeFileSync(path, parts.join('\n') + '\n');
  return path;
}

function fromChild(o: ChildOutcome, n: number): PhaseResult {
  const r: PhaseResult = { ms: o.wallMs, count: o.code === 0 ? n : 0, errors: o.code === 0 ? 0 : 1 };
  if (o.code !== 0) r.firstError = o.error ?? o.stderr.slice(0, 300);
  if (o.maxRssKb !== undefined) r.peakKb = o.maxRssKb;
  if (o.userMs !== undefined && o.sysMs !== undefined) {
    r.userMs = o.userMs;
    r.sysMs = o.sysMs;
  }
  return r;
}

/** Counts our routes in `ip route show` text (lines starting "10." with no prefix length: /32). */
function countOurs(): { feed: (b: Buffer) => void; count: () => number } {
  let ours = 0;
  let atLineStart = true;
  let lineHead = '';
  const feed = (b: Buffer): void => {
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (atLineStart) {
        lineHead += String.fromCharCode(c);
        if (c === 0x20 || c === 0x0a) {
          if (/^10\.\d+\.\d+\.\d+ $/.test(lineHead)) ours++;
          atLineStart = c === 0x0a;
          lineHead = '';
        }
      } else if (c === 0x0a) atLineStart = true;
    }
  };
  return { feed, count: () => ours };
}

/** add / dump / replace / delete with `ip -batch`; one `ip` process per phase. */
export async function ipBatch(env: IpEnv, n: number, onPhase: (p: PhaseName) => void): Promise<IpOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'rtnl-bench-ip-'));
  try {
    const files = {
      add: batchFile(dir, 'add', n, (d) => `route add ${d} via ${env.gw} dev ${env.dev}`),
      replace: batchFile(dir, 'replace', n, (d) => `route replace ${d} via ${env.gw2} dev ${env.dev}`),
      delete: batchFile(dir, 'delete', n, (d) => `route del ${d}`),
    };
    const out: DriverResult = { phases: {} };
    let maxRss = 0;
    for (const p of ['add', 'dump', 'replace', 'delete'] as const) {
      onPhase(p);
      let o: ChildOutcome;
      if (p === 'dump') {
        const c = countOurs();
        o = await runChild({
          cmd: 'ip',
          args: ['-n', env.name, '-4', 'route', 'show', 'table', 'main'],
          rawStdout: c.feed,
        });
        out.phases.dump = { ...fromChild(o, n), count: c.count() };
      } else {
        o = await runChild({ cmd: 'ip', args: ['-n', env.name, '-batch', files[p]] });
        out.phases[p] = fromChild(o, n);
      }
      maxRss = Math.max(maxRss, o.maxRssKb ?? 0);
      if (o.code !== 0)
        return { result: out, error: `ip ${p}: ${o.error ?? 'failed'}`, ...(maxRss ? { maxRssKb: maxRss } : {}) };
    }
    if (maxRss) out.vmHwmKb = maxRss;
    return { result: out, ...(maxRss ? { maxRssKb: maxRss } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `ip route add|replace|del` forked per route on the first `sample` routes; rates extrapolate. */
export async function ipFork(env: IpEnv, sample: number, onPhase: (p: PhaseName) => void): Promise<IpOutcome> {
  const out: DriverResult = { phases: {}, note: `sample of ${sample} routes, one ip process each, extrapolated` };
  let maxRss = 0;
  const steps: [PhaseName, (d: string) => string[]][] = [
    ['add', (d) => ['route', 'add', d, 'via', env.gw, 'dev', env.dev]],
    ['replace', (d) => ['route', 'replace', d, 'via', env.gw2, 'dev', env.dev]],
    ['delete', (d) => ['route', 'del', d]],
  ];
  for (const [p, args] of steps) {
    onPhase(p);
    let ms = 0;
    let ok = 0;
    let firstError: string | undefined;
    for (let i = 0; i < sample; i++) {
      const o = await runChild({ cmd: 'ip', args: ['-n', env.name, ...args(`${routeDst(i)}/32`)], rss: false });
      ms += o.wallMs;
      if (o.code === 0) ok++;
      else firstError ??= o.error;
    }
    out.phases[p] = { ms, count: ok, errors: sample - ok, ...(firstError ? { firstError } : {}) };
    // Peak RSS from one more, untimed call of the same kind on a route past the sample (added,
    // replaced, deleted along with the others).
    const extra = `${routeDst(sample)}/32`;
    const o = await runChild({ cmd: 'ip', args: ['-n', env.name, ...args(extra)] });
    maxRss = Math.max(maxRss, o.maxRssKb ?? 0);
  }
  if (maxRss) out.vmHwmKb = maxRss;
  return { result: out, ...(maxRss ? { maxRssKb: maxRss } : {}) };
}
