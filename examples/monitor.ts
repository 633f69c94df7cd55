// Watching a namespace change, as a container or VM manager does: a monitor subscribed to links,
// addresses, routes and neighbours keeps a view of them (index → link, key → address/route/…)
// from its events alone, while something else (here: this script, through a second handle) wires
// a veth pair. With `resync: true` the monitor starts with what is already there, and after an
// overrun it re-lists and yields only the differences, so the view never drifts.
// A throwaway namespace is created and removed; nothing outside it is touched.
//
// The same with iproute2:  ip -n P monitor link address route neigh
//
// Run as root:  node --import=@tapjs/typescript/import examples/monitor.ts
//   (or npm run build:ts, then node dist/examples/monitor.js)
import { pathToFileURL } from 'node:url';
import { netns, open, type Handle, type MonitorEvent } from '../lib/index.js';

export interface Options {
  /** Namespace name (default 'rtnl-ex-monitor'). */
  name?: string;
  log?: (line: string) => void;
}

export interface Result {
  /** Every event, in order. */
  events: MonitorEvent[];
  /** The view built from them: kind and key → object. */
  view: Map<string, unknown>;
}

/** One line per event, like `ip monitor`. */
function describe(ev: MonitorEvent): string {
  switch (ev.kind) {
    case 'sync':
      return "sync: the view now equals the kernel's";
    case 'overrun':
      return 'overrun: events were lost';
    case 'link':
      return `${ev.action} link ${ev.object.index}: ${ev.object.name} ${ev.object.up ? 'up' : 'down'} mtu ${ev.object.mtu ?? '?'}`;
    case 'addr':
      return `${ev.action} addr ${ev.object.cidr} dev ${ev.object.dev}`;
    case 'route':
      return `${ev.action} route ${ev.object.dst}${typeof ev.object.via === 'string' ? ` via ${ev.object.via}` : ''} dev ${ev.object.dev ?? '-'} table ${ev.object.table}`;
    case 'neigh':
      return `${ev.action} neigh ${ev.object.dst} dev ${ev.object.dev} ${ev.object.lladdr ?? ''} ${ev.object.state}`;
    default:
      return `${ev.action} ${ev.kind} ${ev.key}`;
  }
}

export async function main({ name = 'rtnl-ex-monitor', log = console.log }: Options = {}): Promise<Result> {
  let made = false;
  const handles: Handle[] = [];
  try {
    await netns.add(name);
    made = true;
    const h = open({ netns: name });
    handles.push(h);
    // Subscribed when this returns. With resync, what is already there comes first (as `new`
    // events, then `sync`); a change the initial dump already shows (or one made and undone before
    // it) is not repeated as an event. Every change made after the first `sync` is.
    const m = h.monitor(['link', 'ipv4-addr', 'ipv4-route', 'neigh'], { resync: true });
    const events: MonitorEvent[] = [];
    const view = new Map<string, unknown>();
    let synced = false;
    // What the script waits to see in the view before it goes on (checked after each event).
    const waiting: { until: () => boolean; resolve: () => void }[] = [];
    const seen = (until: () => boolean): Promise<void> =>
      until() ? Promise.resolve() : new Promise((resolve) => waiting.push({ until, resolve }));
    const consumer = (async () => {
      for await (const ev of m) {
        events.push(ev);
        log(describe(ev));
        if (ev.kind === 'sync') synced = true;
        else if (ev.kind !== 'overrun') {
          if (ev.action === 'new') view.set(`${ev.kind} ${ev.key}`, ev.object);
          else view.delete(`${ev.kind} ${ev.key}`);
        }
        for (const w of waiting.splice(0)) {
          if (w.until()) w.resolve();
          else waiting.push(w);
        }
      }
    })();
    const hasRoute = (dst: string): boolean => [...view.values()].some((o) => (o as { dst?: unknown }).dst === dst);

    // Then someone wires the namespace (another handle: a monitor is a socket of its own).
    await seen(() => synced);
    const admin = open({ netns: name });
    handles.push(admin);
    await admin.link.add({ type: 'veth', name: 'veth0', up: true, peer: { name: 'veth1' } });
    await admin.link.set('veth1', { up: true });
    await admin.addr.add({ dev: 'veth0', address: '10.20.0.1/24' });
    await admin.route.add({ dst: '10.30.0.0/16', via: '10.20.0.2' });
    // A link that comes up makes the monitor re-list routes (the kernel drops some without a
    // word when links go down); a route added and removed again during that re-listing would
    // never show. Wait until the view has it, as a manager checking its own change would.
    await seen(() => hasRoute('10.30.0.0/16'));
    await admin.neigh.add({ dev: 'veth0', dst: '10.20.0.2', lladdr: '02:00:00:00:00:02' });
    await admin.link.set('veth0', { mtu: 1400 });
    await admin.route.del({ dst: '10.30.0.0/16' });

    // Give the events a moment, then stop: close() ends the for-await loop.
    await new Promise((r) => setTimeout(r, 300));
    m.close();
    await consumer;
    log(`${events.length} events; the view holds ${view.size} objects${synced ? '' : ' (never synced!)'}`);
    return { events, view };
  } finally {
    for (const h of handles) h.close();
    if (made) await netns.del(name);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
