// Throwaway network namespaces for integration tests: every test works inside its own
// rtnl-t-<pid>-<n> namespace, removed in teardown (sockets closed first: an open socket keeps
// a deleted namespace alive). `ip` is the oracle here, never a dependency of lib/.
import { execFileSync } from 'node:child_process';
import { open, type Handle } from '../../lib/index.js';

export interface TestLike {
  teardown(fn: () => unknown): void;
}

let counter = 0;

export const isRoot = process.getuid?.() === 0;
export const rootSkip = isRoot ? false : 'needs root (CAP_NET_ADMIN) for network namespaces';

/** Runs `ip` and returns its stdout. */
export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `ip -n NS -batch -` with the given lines (one command each). */
export function ipBatch(name: string, lines: string[]): void {
  execFileSync('ip', ['-n', name, '-batch', '-'], {
    input: lines.join('\n') + '\n',
    stdio: ['pipe', 'ignore', 'pipe'],
  });
}

/** Runs `ip -j …` and parses its JSON. */
export function ipJson<T = unknown>(...args: string[]): T {
  const out = ip('-j', ...args).trim();
  return (out ? JSON.parse(out) : []) as T;
}

/**
 * Checks `holds` every `stepMs` until it is true or `timeoutMs` have passed, without yielding to
 * the event loop (a test that must not let JavaScript run meanwhile). Returns whether it held.
 */
export function pollSync(holds: () => boolean, timeoutMs: number, stepMs: number): boolean {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (!holds()) {
    if (Date.now() >= deadline) return false;
    Atomics.wait(pause, 0, 0, stepMs);
  }
  return true;
}

export interface TempNetns {
  name: string;
  h: Handle;
  /** `ip -n NAME …` */
  ip(...args: string[]): string;
  /** `ip -n NAME -j …`, parsed */
  ipJson<T = unknown>(...args: string[]): T;
  /** `ip netns exec NAME cmd …` */
  exec(cmd: string, ...args: string[]): string;
}

/**
 * rtnl-<tag>-<pid>-<n>; RTNL_TEST_NS_PREFIX (e.g. "brp") goes before the tag, so that runs on a
 * shared host can keep to a namespace prefix of their own (rtnl-brp-t-<pid>-<n>).
 */
export function uniqueName(tag = 't'): string {
  const prefix = process.env['RTNL_TEST_NS_PREFIX'];
  return `rtnl-${prefix ? `${prefix}-` : ''}${tag}-${process.pid}-${counter++}`;
}

/** A fresh namespace with a handle on it; both gone after the test. `tag` names it (rtnl-<tag>-…, default 't'). */
export function tempNetns(t: TestLike, opts: { open?: boolean; tag?: string } = {}): TempNetns {
  const name = uniqueName(opts.tag ?? 't');
  ip('netns', 'add', name);
  let h: Handle | undefined;
  try {
    if (opts.open !== false) h = open({ netns: name });
  } catch (e) {
    ip('netns', 'del', name);
    throw e;
  }
  t.teardown(() => {
    h?.close();
    try {
      ip('netns', 'del', name);
    } catch {
      // already removed by the test
    }
  });
  return {
    name,
    get h(): Handle {
      if (!h) throw new Error('tempNetns opened without a handle');
      return h;
    },
    ip: (...args) => ip('-n', name, ...args),
    ipJson: <T>(...args: string[]) => ipJson<T>('-n', name, ...args),
    exec: (cmd, ...args) => execFileSync('ip', ['netns', 'exec', name, cmd, ...args], { encoding: 'utf8' }),
  };
}

/**
 * Why a test needs a driver this kernel lacks, or false where `ip link add … type <kind>` works
 * (asked in a namespace of its own, removed at once; root skips apply first).
 */
export function kindSkip(kind: string): string | false {
  if (rootSkip) return rootSkip;
  const name = uniqueName(kind);
  ip('netns', 'add', name);
  try {
    ip('-n', name, 'link', 'add', 'x0', 'type', kind);
    return false;
  } catch {
    return `this kernel has no ${kind} driver (ip link add … type ${kind}: EOPNOTSUPP)`;
  } finally {
    ip('netns', 'del', name);
  }
}
