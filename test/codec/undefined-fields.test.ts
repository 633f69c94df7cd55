// A field given as undefined is one left out, in every encoder: the same request, the same answer,
// nothing refused. No root: specs are encoded directly.
import { fstatSync, statSync } from 'node:fs';
import t from 'tap';
import { resolveParts } from '../../lib/link/resolve.js';
import { checkParts, splitSpec } from '../../lib/link/spec.js';
import type { LinkSpec } from '../../lib/index.js';

t.test('a namespace { path, fd: undefined } is opened by its path, not taken as descriptor 0', async (t) => {
  const path = '/proc/self/ns/net';
  const ino = statSync(path).ino;
  const specs: [string, LinkSpec][] = [
    ['netns', { type: 'dummy', name: 'x0', netns: { path, fd: undefined } }],
    ['peer.netns', { type: 'veth', name: 'x0', peer: { name: 'x1', netns: { path, fd: undefined } } }],
  ];
  for (const [field, spec] of specs) {
    const parts = splitSpec(spec);
    checkParts(parts, true);
    const r = await resolveParts(parts, async () => 1);
    try {
      const peer = r.parts.data['peer'] as { netns?: { fd: number } } | undefined;
      const fd = field === 'netns' ? r.netnsFd : peer?.netns?.fd;
      t.type(fd, 'number', `${field}: a descriptor`);
      t.equal(fstatSync(fd!).ino, ino, `${field}: the descriptor of ${path}`);
    } finally {
      r.release();
    }
  }
});
