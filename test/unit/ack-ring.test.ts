// AckRing (lib/core/ack-ring.ts): the ring of post()ed messages. Its live seqs come back in the
// order they were sent, whichever slots they landed in: the engine fails and settles them in that
// order on ENOBUFS, an unreadable chunk and close().
import t, { type Test } from 'tap';
import { AckRing, type AckOwner } from '../../lib/core/ack-ring.js';

const owner: AckOwner<number> = {
  settle: () => undefined,
  context: () => undefined,
  write: () => undefined,
};

function ringWith(t: Test, seqs: number[]): AckRing {
  const r = new AckRing();
  for (const s of seqs) {
    t.ok(r.free(s), `slot for ${s}`);
    r.put(s, 24, 0, owner as AckOwner<unknown>, s);
  }
  return r;
}

t.test('seqs that pass a multiple of the ring size come back in send order, not slot order', async (t) => {
  const seqs = [4093, 4094, 4095, 4096, 4097, 4098]; // slots 4093–4095, then 0–2 of 4,096
  const r = ringWith(t, seqs);
  t.equal(r.mask, 4095, 'the ring did not grow');
  t.same(r.liveSeqs(), seqs);
  t.same(
    r.drain().map(([, arg]) => arg),
    seqs,
    'drain() in send order too',
  );
});

t.test('across the 32-bit wrap of sequence numbers', async (t) => {
  const seqs = [0xfffffffd, 0xfffffffe, 0xffffffff, 1, 2]; // the engine skips seq 0
  t.same(ringWith(t, seqs).liveSeqs(), seqs);
});
