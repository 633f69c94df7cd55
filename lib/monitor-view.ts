// A resyncing monitor's record of what its consumer has been given: the last message of every
// object, per kind and key, so a fresh dump can be turned into the new/del events that make the
// consumer's view equal to the kernel's (the kinds and keys of ./monitor-kinds.ts).
import type { NlMsg } from './core/nlmsg.js';
import { KINDS, routeSlot, sameState, type KindDef } from './monitor-kinds.js';
import type { MonitorKind } from '../types/monitor.js';

/** One object event, decoded when the consumer takes it. `m` is a private copy of the message. */
export interface Change {
  d: KindDef;
  del: boolean;
  key: string;
  m: NlMsg;
  /** The kernel flagged the message NLM_F_REPLACE (a route that replaced its slot's route). */
  replace: boolean;
}

export type Objects = Map<string, NlMsg>;

export class View {
  private readonly kinds = new Map<MonitorKind, Objects>();
  /** Route slot → the keys of the routes in it. */
  private readonly slots = new Map<string, Set<string>>();

  objects(kind: MonitorKind): Objects {
    let v = this.kinds.get(kind);
    if (!v) this.kinds.set(kind, (v = new Map() as Objects));
    return v;
  }

  apply(c: Change): void {
    const objects = this.objects(c.d.kind);
    if (c.del) {
      if (objects.delete(c.key) && c.d.kind === 'route') this.unslot(c.key);
    } else if (!objects.has(c.key)) {
      objects.set(c.key, c.m);
      if (c.d.kind === 'route') this.slot(c.key);
    } else {
      objects.set(c.key, c.m);
    }
  }

  /** The other routes in a route's slot (those a replace may have replaced). */
  slotmates(key: string): string[] {
    const keys = this.slots.get(routeSlot(key));
    return keys ? [...keys].filter((k) => k !== key) : [];
  }

  /** What turns the view into `target` for these kinds: dels, then news (and changes). */
  diff(kinds: readonly MonitorKind[], target: View): Change[] {
    const out: Change[] = [];
    for (const k of kinds) {
      const d = KINDS[k];
      const cur = this.objects(k);
      const want = target.objects(k);
      for (const [key, m] of cur) if (!want.has(key)) out.push({ d, del: true, key, m, replace: false });
      for (const [key, m] of want) {
        const had = cur.get(key);
        if (!had || !sameState(d, had, m)) out.push({ d, del: false, key, m, replace: false });
        else cur.set(key, m); // only statistics or timestamps moved
      }
    }
    return out;
  }

  clear(): void {
    this.kinds.clear();
    this.slots.clear();
  }

  private slot(key: string): void {
    const s = routeSlot(key);
    let keys = this.slots.get(s);
    if (!keys) this.slots.set(s, (keys = new Set()));
    keys.add(key);
  }

  private unslot(key: string): void {
    const s = routeSlot(key);
    const keys = this.slots.get(s);
    if (keys?.delete(key) && keys.size === 0) this.slots.delete(s);
  }
}
