// The bench's throwaway namespace: rtnl-bench-<pid> holding veth0 (192.168.0.1/24, up) and its
// peer veth1 (up), so that `10.x.y.z/32 via 192.168.0.2|.3 dev veth0` routes are valid. Built with
// this package where its API exists (netns.add, link.add, addr.add, link.set, link.indexOf) and
// with `ip` where it does not yet; always removed, also after Ctrl-C or a crash of the harness
// (a later run removes rtnl-bench-<pid> namespaces whose process is gone).
import { execFileSync } from 'node:child_process';
import { netns, open, type Handle } from '../lib/index.js';

export interface BenchNs {
  name: string;
  path: string;
  dev: string;
  ifindex: number;
  gw: string;
  gw2: string;
  /** How the namespace was built: which steps used the package and which used ip. */
  built: string[];
}

const PREFIX = 'rtnl-bench-';
const ADDRESS = '192.168.0.1/24';

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Optional parts of the API (they land issue by issue); looked up at run time. */
interface LinkAddApi {
  add?: (spec: { type: 'veth'; name: string; up?: boolean; peer: { name: string } }) => Promise<unknown>;
  set?: (ref: string, change: { up: boolean }) => Promise<unknown>;
}
interface AddrAddApi {
  add?: (spec: { dev: string; address: string }) => Promise<unknown>;
}

/** Removes namespaces left by bench runs whose process no longer exists. */
export function removeStale(): string[] {
  const gone: string[] = [];
  for (const name of netns.list()) {
    const m = new RegExp(`^${PREFIX}(\\d+)$`).exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue; // still running: not ours to remove
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPERM') continue;
    }
    removeSync(name);
    gone.push(name);
  }
  return gone;
}

/** Synchronous removal (usable from an exit handler). */
export function removeSync(name: string): void {
  // The addon's unmount+unlink runs synchronously inside netns.del (no await before it).
  netns.del(name).catch(() => undefined);
  if (netns.list().includes(name)) {
    try {
      ip('netns', 'del', name);
    } catch {
      // already gone
    }
  }
}

export async function createBenchNs(): Promise<BenchNs> {
  const name = `${PREFIX}${process.pid}`;
  const built: string[] = [];
  await netns.add(name);
  built.push('netns.add');
  let h: Handle | undefined;
  try {
    h = open({ netns: name });
    const link = h.link as unknown as LinkAddApi;
    const addr = h.addr as unknown as AddrAddApi;
    if (typeof link.add === 'function') {
      await link.add({ type: 'veth', name: 'veth0', peer: { name: 'veth1' } });
      built.push('link.add');
    } else {
      ip('-n', name, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
      built.push('ip link add');
    }
    if (typeof addr.add === 'function') {
      await addr.add({ dev: 'veth0', address: ADDRESS });
      built.push('addr.add');
    } else {
      ip('-n', name, 'addr', 'add', ADDRESS, 'dev', 'veth0');
      built.push('ip addr add');
    }
    for (const dev of ['lo', 'veth0', 'veth1']) {
      if (typeof link.set === 'function') await link.set(dev, { up: true });
      else ip('-n', name, 'link', 'set', dev, 'up');
    }
    built.push(typeof link.set === 'function' ? 'link.set up' : 'ip link set up');
    const ifindex = await h.link.indexOf('veth0', 'dev');
    return { name, path: `/run/netns/${name}`, dev: 'veth0', ifindex, gw: '192.168.0.2', gw2: '192.168.0.3', built };
  } catch (e) {
    h?.close();
    h = undefined;
    removeSync(name);
    throw e;
  } finally {
    h?.close();
  }
}

/** Our 10.0.0.0/8 routes still in the main table (after a tool failed half-way), removed. */
export function flushLeftovers(ns: BenchNs): number {
  const left = ip('-n', ns.name, '-4', 'route', 'show', 'table', 'main', 'root', '10.0.0.0/8')
    .split('\n')
    .filter((l) => l.trim()).length;
  if (left) ip('-n', ns.name, '-4', 'route', 'flush', 'table', 'main', 'root', '10.0.0.0/8');
  return left;
}
