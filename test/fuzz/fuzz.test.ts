// The short fuzz run of `npm test`: ~20,000 inputs with a fixed seed over every decoder lib/
// exports (see harness.ts for the rule each input is held to). `npm run fuzz` runs the long one.
import t from 'tap';
import fc from 'fast-check';
import type { AttrSchema } from '../../lib/core/schema.js';
import { defineAttrs, u32 } from '../../lib/core/schema.js';
import { DecodeError } from '../../lib/core/errors.js';
import type { NlMsg } from '../../lib/core/nlmsg.js';
import {
  fastErrors,
  LIMITS,
  loadSeeds,
  loadTargets,
  newStats,
  plan,
  roundTrip,
  runCase,
  targetNames,
  type Targets,
} from './harness.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261128);
const CASES = Number(process.env['FUZZ_CASES'] ?? 20000);

const targets = await loadTargets();
const seeds = loadSeeds();

t.test('the harness reaches the decoders and the seeds', async (t) => {
  const names = targetNames(targets);
  t.comment(`${names.length} decoders: ${names.join(', ')}`);
  t.comment(`${seeds.messages.length} seed messages from ${seeds.files.length} files`);
  t.ok(
    targets.messages.some((d) => d.name.endsWith(':decodeLink')),
    'decodeLink',
  );
  t.ok(
    targets.schemas.some((s) => s.schema.name === 'IFLA'),
    'the IFLA table',
  );
  t.ok(
    seeds.files.some((f) => f.includes('fuzz-seeds')),
    'kernel dump seeds',
  );
  t.ok(seeds.messages.length >= 100, 'at least 100 seed messages');
});

t.test(
  'the harness catches what it must: other errors, long calls, big allocations, big outputs, asymmetric codecs',
  async (t) => {
    const input = Buffer.from('1400100000000000000000000000000008000100ff000000', 'hex');
    const bad: Array<[string, (m: NlMsg) => unknown, RegExp]> = [
      ['RangeError escaping', (m) => m.buf.readUInt32LE(m.end), /RangeError/],
      ['TypeError escaping', () => (undefined as unknown as { x: number }).x, /TypeError/],
      [
        'a call running long',
        () => {
          const end = performance.now() + LIMITS.callMs + 50;
          while (performance.now() < end);
        },
        /took/,
      ],
      ['an allocation from a length field', (m) => Buffer.alloc(m.buf.readUInt32LE(20) * 1024), /allocated a/],
      ['an output past the bound', () => 'x'.repeat(LIMITS.output(input.length) + 1), /output of weight/],
    ];
    for (const [name, fn, re] of bad) {
      const fake: Targets = { schemas: [], structs: [], ranges: [], messages: [{ name, fn }] };
      t.throws(() => runCase(fake, input, newStats()), { name: 'FuzzFailure', message: re }, name);
    }
    const ok: Targets = {
      schemas: [],
      structs: [],
      ranges: [],
      messages: [
        {
          name: 'DecodeError only',
          fn: (m) => {
            throw new DecodeError('x', m.off);
          },
        },
      ],
    };
    t.doesNotThrow(() => runCase(ok, input, newStats()), 'DecodeError is the allowed outcome');
    // A codec whose encode does not write what decode read breaks the round trip.
    const lossy = defineAttrs<{ a: number }>('LOSSY', {
      a: [1, { ...u32, put: (w, type, v) => w.attrU32(type, (v as number) + 1) }],
    });
    const rt: Targets = {
      schemas: [{ name: 'lossy', schema: lossy as AttrSchema<unknown> }],
      structs: [],
      ranges: [],
      messages: [],
    };
    t.throws(() => roundTrip(rt, Buffer.from('0800010005000000', 'hex'), newStats()), { message: /round trip/ });
    // Fast mode still reports the failing stack.
    const limit = Error.stackTraceLimit;
    fastErrors();
    try {
      const fake: Targets = {
        schemas: [],
        structs: [],
        ranges: [],
        messages: [{ name: 'x', fn: (m) => m.buf.readUInt32LE(m.end) }],
      };
      t.throws(() => runCase(fake, input, newStats()), { message: /at / }, 'a stack even with traces off');
    } finally {
      Error.stackTraceLimit = limit;
    }
  },
);

for (const p of plan(targets, seeds.messages)) {
  t.test(`fuzz: ${p.name}`, async (t) => {
    const st = newStats();
    const numRuns = Math.round(CASES * p.share);
    const t0 = performance.now();
    // Most inputs end in DecodeError: no stack traces while running (a failure is re-run with them).
    const limit = Error.stackTraceLimit;
    fastErrors();
    try {
      fc.assert(
        fc.property(p.arb, (x) => p.check(x, st)),
        { seed: SEED, numRuns },
      );
    } finally {
      Error.stackTraceLimit = limit;
    }
    const ms = performance.now() - t0;
    t.comment(
      `${numRuns} inputs, ${st.calls} decoder calls (${st.decoded} decoded, ${st.decodeErrors} DecodeError) in ${(ms / 1000).toFixed(1)} s; slowest call ${st.maxCallMs.toFixed(2)} ms (${st.slowest}), largest allocation ${st.maxAlloc} B`,
    );
    t.ok(st.cases >= numRuns, `${numRuns} inputs checked`);
  });
}
