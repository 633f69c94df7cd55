// Runs the link examples (examples/bridge-veth-namespaces.ts, macvlan-macvtap.ts, vxlan.ts) through
// their exported main(), with a namespace prefix of this test's own, and checks what they built
// and that they removed every namespace they made.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { netns } from '../../lib/index.js';
import { rootSkip } from '../helpers/netns.js';
import { main as bridgeVeth } from '../../examples/bridge-veth-namespaces.js';
import { main as macvlanMacvtap } from '../../examples/macvlan-macvtap.js';
import { main as vxlanExample } from '../../examples/vxlan.js';

const opts = { skip: rootSkip };
let n = 0;

/** Runs an example with a fresh prefix; checks it removed every namespace it made. */
async function run<R>(
  t: Test,
  main: (o: { prefix: string; log: (l: string) => void }) => Promise<R>,
  log: (l: string) => void = () => {},
): Promise<R> {
  const p = `rtnl-t-x${process.pid}-${n++}`;
  const mine = (): string[] => netns.list().filter((x) => x.startsWith(`${p}-`));
  t.teardown(async () => {
    for (const x of mine()) await netns.del(x); // only if the example failed to
  });
  const r = await main({ prefix: p, log });
  t.same(mine(), [], 'the example removed its namespaces');
  return r;
}

t.test('bridge-veth-namespaces: a bridge with a veth into each container', opts, async (t) => {
  const lines: string[] = [];
  const r = await run(t, bridgeVeth, (l) => lines.push(l));
  t.match(r.bridge, { type: 'bridge', name: 'br0', up: true, stpState: 0, forwardDelay: 200 });
  t.equal(r.containers.length, 2);
  for (const c of r.containers) {
    t.match(c.port, { type: 'veth', master: r.bridge.index, up: true });
    t.match(c.eth0, { type: 'veth', name: 'eth0', up: true, link: c.port.index });
    t.type(c.eth0.linkNetnsId, 'number', "eth0's peer lives in another namespace");
  }
  t.ok(
    lines.some((l) => l.includes('br0 has ports: veth-c1, veth-c2')),
    'it says what it built',
  );
});

t.test("macvlan-macvtap: a VM's macvtap with its tap device, a container's macvlan", opts, async (t) => {
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }): void => {
    if (w.code === 'RTNETLINK_TAPDEV') warnings.push(w.message);
  };
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  const r = await run(t, macvlanMacvtap);
  t.match(r.vm, { type: 'macvtap', name: 'vm0', mode: 'vepa', link: r.nic.index, address: '52:54:00:12:34:56' });
  const major = /^\s*(\d+) macvtap$/m.exec(readFileSync('/proc/devices', 'utf8'))?.[1];
  if (r.vm.tapDevice !== undefined) {
    t.equal(r.vm.tapDevice, `/dev/tap${r.vm.index}`);
    t.equal(r.tapDevt?.[0], Number(major), 'the tap device is a macvtap character device');
  } else {
    // a test running beside this one has a macvtap of the same index in its own namespace
    await new Promise((res) => setImmediate(res));
    t.match(warnings, [
      new RegExp(`^/dev/tap${r.vm.index} is another device; the character device of vm0 is ${major}:\\d+ `),
    ]);
  }
  t.match(r.container, { type: 'macvlan', name: 'eth0', mode: 'bridge', up: true });
  t.type(r.container.linkNetnsId, 'number', "the container's macvlan has its parent in the host namespace");
});

t.test('vxlan: two ends of an overlay, a multicast group, a change in place', opts, async (t) => {
  const r = await run(t, vxlanExample);
  t.match(r.a, {
    type: 'vxlan',
    id: 100,
    local: '10.0.0.1',
    remote: '10.0.0.2',
    port: 4789,
    ttl: 64,
    learning: false,
    mtu: 1450,
    up: true,
  });
  t.match(r.b, { type: 'vxlan', id: 100, local: '10.0.0.2', remote: '10.0.0.1' });
  t.equal(r.a.group, undefined, 'a unicast peer is not a group');
  t.match(r.group, { type: 'vxlan', id: 200, group: '239.1.1.200' });
  t.equal(r.group.remote, undefined, 'a multicast group is not a remote');
  t.match(r.changed, { ttl: 16, ageing: 120, id: 100 });
});
