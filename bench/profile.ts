// Reads a V8 CPU profile (`node --cpu-prof`, .cpuprofile JSON) of an rtnetlink driver run and
// summarises where each phase's time went: self time per function and per file, with the idle
// share (waiting for the kernel on the socket thread) and GC split out. Phases are cut out of the
// sample stream by the driver's CLOCK_MONOTONIC start/end (V8 counts profile time on that clock).
//   node dist/bench/profile.js FILE.cpuprofile [result.json]   (standalone use)
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { DriverResult } from './peers/common.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Hotspot {
  name: string;
  ms: number;
  share: number;
}

export interface PhaseProfile {
  phase: string;
  ms: number;
  /** Waiting in the event loop (the kernel working on the socket thread). */
  idleShare: number;
  gcShare: number;
  functions: Hotspot[];
  files: Hotspot[];
}

function where(f: CallFrame): string {
  if (!f.url) return '';
  const u = f.url.replace(/^file:\/\//, '');
  const m = /\/(dist\/)?(lib|bench)\/(.*)$/.exec(u);
  return m ? `${m[2]}/${m[3]}` : basename(u);
}

function top(map: Map<string, number>, total: number, k: number): Hotspot[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, us]) => ({ name, ms: us / 1000, share: total ? us / total : 0 }));
}

/** Splits the profile by the driver's phases (or takes it whole) and ranks self time. */
export function summariseProfile(prof: CpuProfile, result?: DriverResult, k = 12): PhaseProfile[] {
  const byId = new Map(prof.nodes.map((n) => [n.id, n.callFrame]));
  const windows: [string, number, number][] = [];
  for (const [name, ph] of Object.entries(result?.phases ?? {})) {
    if (ph?.startUs !== undefined && ph.endUs !== undefined) windows.push([name, ph.startUs, ph.endUs]);
  }
  if (windows.length === 0) windows.push(['whole run', prof.startTime, prof.endTime]);
  const out: PhaseProfile[] = [];
  for (const [phase, from, to] of windows) {
    const fns = new Map<string, number>();
    const files = new Map<string, number>();
    let total = 0;
    let idle = 0;
    let gc = 0;
    let t = prof.startTime;
    for (let i = 0; i < prof.samples.length; i++) {
      const dt = prof.timeDeltas[i] ?? 0;
      t += dt;
      if (t < from || t > to) continue;
      // The sample's weight is the time until the next sample.
      const w = prof.timeDeltas[i + 1] ?? dt;
      const f = byId.get(prof.samples[i]!);
      if (!f) continue;
      total += w;
      if (f.functionName === '(idle)') idle += w;
      if (f.functionName === '(garbage collector)') gc += w;
      const file = where(f);
      const name = `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`;
      fns.set(name, (fns.get(name) ?? 0) + w);
      const fileKey = file || f.functionName || '(native)';
      files.set(fileKey, (files.get(fileKey) ?? 0) + w);
    }
    out.push({
      phase,
      ms: total / 1000,
      idleShare: total ? idle / total : 0,
      gcShare: total ? gc / total : 0,
      functions: top(fns, total, k),
      files: top(files, total, 8),
    });
  }
  return out;
}

export function profileText(title: string, phases: PhaseProfile[]): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)}%`;
  const out = [`profile: ${title}`];
  for (const p of phases) {
    out.push(
      `  ${p.phase}: ${p.ms.toFixed(0)} ms sampled, idle ${pct(p.idleShare).trim()}, GC ${pct(p.gcShare).trim()}`,
    );
    out.push(`    by file: ${p.files.map((f) => `${f.name} ${pct(f.share).trim()}`).join(', ')}`);
    for (const f of p.functions) out.push(`    ${pct(f.share)}  ${f.ms.toFixed(0).padStart(6)} ms  ${f.name}`);
  }
  return out.join('\n');
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const [file, resultFile] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile.js FILE.cpuprofile [driver-result.json]\n');
    process.exit(2);
  }
  const result = resultFile ? (JSON.parse(readFileSync(resultFile, 'utf8')) as DriverResult) : undefined;
  process.stdout.write(profileText(file, summariseProfile(readProfile(file), result)) + '\n');
}
