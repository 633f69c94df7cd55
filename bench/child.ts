// Runs one tool's process for the harness: optionally under `ip netns exec NS`, under GNU time
// (`/usr/bin/time -f %M`: the child's peak RSS as wait4 reports it), reading the driver line protocol
// of bench/peers/common.ts ("phase NAME", "skip REASON", "result {json}") from its stdout.
// Every live child is tracked so that Ctrl-C or an error can kill it before the namespace goes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverResult } from './peers/common.js';

export const GNU_TIME = '/usr/bin/time';
export const hasGnuTime = existsSync(GNU_TIME);

const live = new Set<ChildProcess>();
/** GNU time's output directories of running children (removed by killChildren too). */
const liveDirs = new Set<string>();

/** Kills a child's whole process group (GNU time and `ip netns exec` put the tool one level down). */
function killGroup(c: ChildProcess): void {
  try {
    if (c.pid) process.kill(-c.pid, 'SIGKILL');
  } catch {
    c.kill('SIGKILL');
  }
}

/** Kills every child still running (SIGKILL: they hold sockets in the bench namespace). */
export function killChildren(): void {
  for (const c of live) killGroup(c);
  live.clear();
  for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  liveDirs.clear();
}

export interface ChildSpec {
  cmd: string;
  args: string[];
  /** Run inside this named namespace through `ip netns exec`. */
  netnsExec?: string;
  /** Called on each "phase NAME" line. */
  onPhase?: (name: string) => void;
  /** Measure peak RSS through GNU time (default true; one extra fork+exec per child). */
  rss?: boolean;
  /** Kill after this long. */
  timeoutMs?: number;
  /** Takes stdout raw instead of as protocol lines (e.g. `ip route show` output being counted). */
  rawStdout?: (chunk: Buffer) => void;
}

export interface ChildOutcome {
  result?: DriverResult;
  skip?: string;
  /** What went wrong: a non-zero exit, a signal, a timeout, no result line. */
  error?: string;
  /** Peak RSS of the tool process (wait4's ru_maxrss through GNU time), KiB. */
  maxRssKb?: number;
  /** The process's CPU time (GNU time, 10 ms resolution): user space and kernel. */
  userMs?: number;
  sysMs?: number;
  code: number | null;
  stderr: string;
  /** Wall time from spawn to exit, ms (used where the harness times a tool itself). */
  wallMs: number;
}

/** Spawns the child and resolves when it exits (never rejects). */
export function runChild(spec: ChildSpec): Promise<ChildOutcome> {
  const dir = hasGnuTime && spec.rss !== false ? mkdtempSync(join(tmpdir(), 'rtnl-bench-time-')) : undefined;
  if (dir) liveDirs.add(dir);
  const rssFile = dir ? join(dir, 'rss') : undefined;
  let argv = [spec.cmd, ...spec.args];
  if (rssFile) argv = [GNU_TIME, '-f', '%M %U %S', '-o', rssFile, ...argv];
  if (spec.netnsExec) argv = ['ip', 'netns', 'exec', spec.netnsExec, ...argv];
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    // A process group of its own, so that the tool under time / ip netns exec dies with it.
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(child);
    let stderr = '';
    let pending = '';
    let result: DriverResult | undefined;
    let skip: string | undefined;
    let badLine: string | undefined;
    let timedOut = false;
    const timer = spec.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          killGroup(child);
        }, spec.timeoutMs)
      : undefined;
    const onLine = (line: string): void => {
      if (line.startsWith('phase ')) spec.onPhase?.(line.slice(6).trim());
      else if (line.startsWith('skip ')) skip = line.slice(5).trim();
      else if (line.startsWith('result ')) {
        try {
          result = JSON.parse(line.slice(7)) as DriverResult;
        } catch {
          badLine = line.slice(0, 200);
        }
      }
    };
    const raw = spec.rawStdout;
    if (raw) child.stdout.on('data', (b: Buffer) => raw(b));
    else {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (s: string) => {
        pending += s;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          onLine(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
      });
    }
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (stderr.length < 20000) stderr += s;
    });
    let finished = false;
    const done = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      live.delete(child);
      if (pending) onLine(pending);
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const out: ChildOutcome = { code, stderr, wallMs };
      if (result) out.result = result;
      if (skip !== undefined) out.skip = skip;
      if (rssFile && existsSync(rssFile)) {
        // GNU time writes "Command exited with non-zero status N" before the figure on failure.
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        const [kb, user, sys] = (lines[lines.length - 1] ?? '').split(' ').map(Number);
        if (kb !== undefined && Number.isFinite(kb) && kb > 0) out.maxRssKb = kb;
        if (user !== undefined && sys !== undefined && Number.isFinite(user) && Number.isFinite(sys)) {
          out.userMs = user * 1000;
          out.sysMs = sys * 1000;
        }
      }
      if (dir) {
        rmSync(dir, { recursive: true, force: true });
        liveDirs.delete(dir);
      }
      if (spawnError) out.error = `${argv[0]!}: ${spawnError.message}`;
      else if (timedOut) out.error = `timed out after ${Math.round((spec.timeoutMs ?? 0) / 1000)} s`;
      else if (signal) out.error = `killed by ${signal}`;
      else if (badLine) out.error = `unreadable result line: ${badLine}`;
      else if (code !== 0) out.error = `exit ${String(code)}: ${lastLines(stderr)}`;
      else if (!raw && !result && skip === undefined) out.error = `no result line: ${lastLines(stderr)}`;
      resolve(out);
    };
    child.on('error', (e) => done(null, null, e));
    child.on('close', (code, signal) => done(code, signal));
  });
}

/** The head of stderr (a driver prints its error's message first, then the stack). */
function lastLines(s: string, n = 4): string {
  return s.trim().split('\n').slice(0, n).join(' | ').slice(0, 600) || '(no stderr)';
}
