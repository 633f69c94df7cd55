// The messages sent with Engine.post(): requests answered by an ACK, kept by sequence number in
// a ring of typed arrays and two plain arrays instead of an object each (bulk operations and
// per-call pipelines keep thousands in flight; an object per message kept the GC threads busy).
// Slot = seq & mask; a slot is live while owner[slot] is set. The ring grows by doubling when two
// live sequence numbers would share a slot, and shrinks back once a burst's last ACK is in.
import type { NlWriter } from './attr.js';
import type { RequestContext } from './request.js';

/**
 * The owner of messages submitted with Engine.post(): `arg` and `tag` are what post() was given,
 * kept in the ring beside the owner.
 */
export interface AckOwner<A> {
  /** Called once per message: null on its ACK, else its error. What it throws becomes an uncaught exception. */
  settle(arg: A, tag: number, err: Error | null): void;
  /** Only for an error: the request's context, and its payload written again (extended-ACK offset → field). */
  context(arg: A, tag: number): RequestContext | undefined;
  /** Writes the payload after nlmsghdr (as at submission; may throw: nothing is then sent). */
  write(w: NlWriter, arg: A): void;
}

/** Slots a ring starts with. */
const RING_MIN = 1 << 12;
/** A ring larger than this shrinks back to RING_MIN when its last message is answered. */
const RING_KEEP = 1 << 16;
/** Beyond this many slots, post() falls back to a Pending per message. */
export const RING_MAX = 1 << 22;

export class AckRing {
  mask = 0;
  /** Live slots. */
  live = 0;
  seq = new Uint32Array(0);
  type = new Uint16Array(0);
  tag = new Float64Array(0);
  /**
   * For the last post()ed message of a sendmsg, the only one sent with NLM_F_ACK: how many
   * sequence numbers before its own its answer settles (Engine.seal); 0 for the others.
   */
  cover = new Uint32Array(0);
  owner: (AckOwner<unknown> | undefined)[] = [];
  arg: unknown[] = [];

  /** max: most slots (a power of two). */
  constructor(private readonly max: number = RING_MAX) {}

  /** Whether seq's slot is free, growing the ring (up to max) until it is. */
  free(seq: number): boolean {
    if (this.mask === 0) this.resize(Math.min(RING_MIN, this.max));
    while (this.owner[seq & this.mask] !== undefined) {
      const size = this.mask + 1;
      if (size >= this.max) return false;
      this.resize(size * 2);
    }
    return true;
  }

  /** Fills seq's slot, which free(seq) said is free. */
  put(seq: number, type: number, tag: number, owner: AckOwner<unknown>, arg: unknown): void {
    const i = seq & this.mask;
    this.seq[i] = seq;
    this.type[i] = type;
    this.tag[i] = tag;
    this.cover[i] = 0;
    this.owner[i] = owner;
    this.arg[i] = arg;
    this.live++;
  }

  /** The slot of a live message with this seq, or -1. */
  slot(seq: number): number {
    const i = seq & this.mask;
    return this.live !== 0 && this.seq[i] === seq && this.owner[i] !== undefined ? i : -1;
  }

  /** Empties slot i (its owner, arg and tag read first); a burst's growth goes with its last slot. */
  clear(i: number): void {
    this.owner[i] = undefined;
    this.arg[i] = undefined;
    if (--this.live === 0 && this.mask >= RING_KEEP) this.resize(Math.min(RING_MIN, this.max));
  }

  /** The context of slot i's message, for its error. */
  context(i: number): RequestContext | undefined {
    return this.owner[i]!.context(this.arg[i], this.tag[i]!);
  }

  /**
   * The seqs of the live messages in the order they were sent, for the rare paths that fail many:
   * settling one may post more and resize the ring, so each is looked up again with slot() before
   * it is settled. Slot order is not send order once the seqs pass a multiple of the ring's size;
   * live seqs are fewer than 2^31 apart, so their 32-bit difference orders them across a wrap.
   */
  liveSeqs(): number[] {
    const out: number[] = [];
    if (this.live === 0) return out;
    for (let i = 0; i <= this.mask; i++) if (this.owner[i] !== undefined) out.push(this.seq[i]!);
    return out.sort((a, b) => (a - b) | 0);
  }

  /** Empties the ring, returning what its live slots held. */
  drain(): (readonly [AckOwner<unknown>, unknown, number])[] {
    const out = this.liveSeqs().map((seq) => {
      const i = seq & this.mask;
      return [this.owner[i]!, this.arg[i], this.tag[i]!] as const;
    });
    this.owner.fill(undefined);
    this.arg.fill(undefined);
    this.live = 0;
    return out;
  }

  /** Moves the live slots into a ring of `size` slots (a power of two). */
  private resize(size: number): void {
    const { seq, type, tag, cover, owner, arg } = this;
    const mask = size - 1;
    this.seq = new Uint32Array(size);
    this.type = new Uint16Array(size);
    this.tag = new Float64Array(size);
    this.cover = new Uint32Array(size);
    this.owner = new Array<AckOwner<unknown> | undefined>(size).fill(undefined);
    this.arg = new Array<unknown>(size).fill(undefined);
    for (let i = 0; i < owner.length; i++) {
      if (owner[i] === undefined) continue;
      // Two seqs apart by other than a multiple of the old size stay apart in the larger ring.
      const j = seq[i]! & mask;
      this.seq[j] = seq[i]!;
      this.type[j] = type[i]!;
      this.tag[j] = tag[i]!;
      this.cover[j] = cover[i]!;
      this.owner[j] = owner[i];
      this.arg[j] = arg[i];
    }
    this.mask = mask;
  }
}
