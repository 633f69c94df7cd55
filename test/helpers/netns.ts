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

/** Records the message type of every request the handle's engine is given from now on, in order. */
export function submittedTypes(h: Handle): number[] {
  const types: number[] = [];
  const submit = h.engine.submit.bind(h.engine);
  h.engine.submit = (type, ...rest) => {
    types.push(type);
    return submit(type, ...rest);
  };
  return types;
}

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
 * What `ip link add` needs beside `type KIND` before it sends anything (iproute2's own checks),
 * for the kinds that need more than a name; `lo` as a parent is refused by the driver itself
 * (EINVAL, "VLANs not supported"), which still tells that the driver is there.
 */
const PROBE_ARGS: Readonly<Record<string, readonly string[]>> = {
  vlan: ['link', 'lo', 'type', 'vlan', 'id', '1'],
  ipvlan: ['link', 'lo', 'type', 'ipvlan'],
  ipvtap: ['link', 'lo', 'type', 'ipvtap'],
  macvlan: ['link', 'lo', 'type', 'macvlan'],
  macvtap: ['link', 'lo', 'type', 'macvtap'],
  vrf: ['type', 'vrf', 'table', '1'],
  geneve: ['type', 'geneve', 'id', '1', 'remote', '192.0.2.1'],
  vxlan: ['type', 'vxlan', 'id', '1', 'dstport', '4789'],
};

/**
 * For each kind, why a test needs a driver this kernel lacks, or false where the driver is there:
 * `ip link add … type KIND` for each, in one `ip -force -batch` in a namespace of its own (removed
 * at once). A kind is missing only where the kernel answers "Unknown device type" (EOPNOTSUPP);
 * any other answer, a refusal of the probe's arguments included, means the driver is there. Root
 * skips apply first.
 */
export function kindSkips<K extends string>(kinds: readonly K[]): Record<K, string | false> {
  const out = {} as Record<K, string | false>;
  if (rootSkip) {
    for (const k of kinds) out[k] = rootSkip;
    return out;
  }
  const name = uniqueName('kind');
  const lines = kinds.map((k, i) => ['link', 'add', `x${i}`, ...(PROBE_ARGS[k] ?? ['type', k])].join(' '));
  let stderr = '';
  ip('netns', 'add', name);
  try {
    execFileSync('ip', ['-n', name, '-force', '-batch', '-'], {
      input: lines.join('\n') + '\n',
      stdio: ['pipe', 'ignore', 'pipe'],
    });
  } catch (e) {
    stderr = String((e as { stderr?: unknown }).stderr ?? '');
  } finally {
    ip('netns', 'del', name);
  }
  // iproute2 prints a failed line's error, then "Command failed -:LINE"
  const failed = new Map<number, string>();
  let said = '';
  for (const line of stderr.split('\n')) {
    const m = /^Command failed -:(\d+)$/.exec(line);
    if (!m) said += `${line}\n`;
    else {
      failed.set(Number(m[1]), said);
      said = '';
    }
  }
  kinds.forEach((kind, i) => {
    out[kind] = failed.get(i + 1)?.includes('Unknown device type')
      ? `this kernel has no ${kind} driver (ip link add … type ${kind}: EOPNOTSUPP)`
      : false;
  });
  return out;
}

/** Why a test needs a driver this kernel lacks, or false where it has one (see kindSkips). */
export function kindSkip<K extends string>(kind: K): string | false {
  return kindSkips([kind])[kind];
}
