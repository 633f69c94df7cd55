// Helpers of the foundation and hygiene integration tests (not a test file): descriptor and
// thread-namespace snapshots, RSS, child `node` scripts that import lib/ through tap's
// TypeScript loader.
import { spawn } from 'node:child_process';
import { pbkdf2 } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

export const fdCount = (): number => readdirSync('/proc/self/fd').length;

/** Resident set size in bytes (VmRSS). */
export function rss(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** The network namespace of every thread of this process: tid → 'net:[…]'. */
export function threadNamespaces(): Map<string, string> {
  const out = new Map<string, string>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(tid, readlinkSync(`/proc/self/task/${tid}/ns/net`));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** Threads of this process not in namespace `self`. */
export function threadsElsewhere(self: string): Array<[string, string]> {
  return [...threadNamespaces()].filter(([, n]) => n !== self);
}

/** Makes libuv start its threadpool (4 threads by default), so their namespaces can be checked. */
export async function warmThreadpool(): Promise<void> {
  await Promise.all(Array.from({ length: 8 }, () => new Promise((r) => pbkdf2('x', 'y', 1000, 16, 'sha1', r))));
}

/** A full garbage collection, without --expose-gc on the command line. */
export function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** The lib entry point as an absolute URL, for child scripts. */
export const LIB = new URL('../../lib/index.js', import.meta.url).href;

export interface NodeResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node -e code` (ESM; import LIB through tap's TypeScript loader), optionally inside a namespace. */
export function runNode(
  code: string,
  opts: { netns?: string; args?: string[]; timeoutMs?: number } = {},
): Promise<NodeResult> {
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));
  const node = [process.execPath, ...loader, ...(opts.args ?? []), '--input-type=module', '-e', code];
  const argv = opts.netns ? ['ip', 'netns', 'exec', opts.netns, ...node] : node;
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}
