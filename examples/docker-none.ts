// Docker's `none` network driver, rebuilt by hand: a container in a network namespace of its own
// with nothing in it but the loopback device, brought up. It can talk to itself and to nobody
// else: no other link, no route off the box. The namespace is removed at the end.
//
//   <prefix>-ctr: lo 127.0.0.1/8 ::1/128 (up), nothing else
//
// The same with iproute2:
//   ip netns add P-ctr
//   ip -n P-ctr link set lo up
//   ip -n P-ctr link show; ip -n P-ctr address show; ip -n P-ctr route show table all
//
// Run as root:  node --import=@tapjs/typescript/import examples/docker-none.ts
//   (or npm run build:ts, then node dist/examples/docker-none.js)
import { pathToFileURL } from 'node:url';
import { netns, open, type Addr, type Handle, type Link, type Route } from '../lib/index.js';

export interface Options {
  /** Namespace name prefix (default 'rtnl-ex-none'). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface Result {
  links: Link[];
  addrs: Addr[];
  /** Every table, both families: only the loopback's local routes. */
  routes: Route[];
  /** What `ip route get 8.8.8.8` says from inside: the kernel's refusal code. */
  outside: string;
}

export async function main({ prefix = 'rtnl-ex-none', log = console.log }: Options = {}): Promise<Result> {
  const ns = `${prefix}-ctr`;
  let made = false;
  let h: Handle | undefined;
  try {
    await netns.add(ns);
    made = true;
    h = open({ netns: ns });

    // A new namespace has lo, down. Docker brings it up, and that is all `none` does.
    await h.link.set('lo', { up: true });

    const links = await h.link.list();
    log(`${ns}: links ${links.map((l) => `${l.name} (${l.up ? 'up' : 'down'})`).join(', ')}`);
    const addrs = await h.addr.list();
    log(`${ns}: addresses ${addrs.map((a) => `${a.cidr} dev ${a.dev}`).join(', ')}`);
    const routes = await h.route.list({ table: 'all' });
    for (const r of routes) log(`${ns}: ${r.type} ${r.dst} dev ${r.dev ?? '-'} table ${r.table}`);
    let outside = 'reachable';
    try {
      await h.route.get('8.8.8.8');
    } catch (e) {
      outside = (e as { code?: string }).code ?? String(e);
    }
    log(`${ns}: route to 8.8.8.8: ${outside}`);
    return { links, addrs, routes, outside };
  } finally {
    h?.close();
    if (made) await netns.del(ns);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
