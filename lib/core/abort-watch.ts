// One 'abort' listener per signal for all the requests that share it. One listener each would
// pass the EventTarget's limit of 10 and warn of a leak for a signal shared by many calls (a
// shutdown signal); the listener leaves the signal with its last request.

export class AbortWatch<T> {
  private readonly bySignal = new Map<AbortSignal, { items: Set<T>; onAbort: () => void }>();

  /** `aborted(item, signal)` is called for each watched item when its signal aborts. */
  constructor(private readonly aborted: (item: T, signal: AbortSignal) => void) {}

  /** How many items wait on `signal`. */
  watching(signal: AbortSignal): number {
    return this.bySignal.get(signal)?.items.size ?? 0;
  }

  /** Watches `signal` for `item`; the function returned stops watching (call it once the item is done). */
  watch(item: T, signal: AbortSignal): () => void {
    let w = this.bySignal.get(signal);
    if (!w) {
      const items = new Set<T>();
      const onAbort = (): void => {
        this.bySignal.delete(signal);
        for (const x of [...items]) this.aborted(x, signal);
      };
      w = { items, onAbort };
      this.bySignal.set(signal, w);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    const watch = w;
    watch.items.add(item);
    return () => {
      watch.items.delete(item);
      if (watch.items.size === 0 && this.bySignal.get(signal) === watch) {
        this.bySignal.delete(signal);
        signal.removeEventListener('abort', watch.onAbort);
      }
    };
  }
}
