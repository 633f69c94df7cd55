// Bridge port VLANs against the kernel, in throwaway rtnl-brv-* namespaces holding a bridge with a
// veth and a tap port: our list equals `bridge -j vlan show` (plain and -compressvlans), and what
// the kernel refuses comes back as a NetlinkError that says why. A kernel built without
// CONFIG_BRIDGE_VLAN_FILTERING (the test host's) keeps no VLANs at all: there the lists are empty
// and every add is EOPNOTSUPP; with it, add/list/del go round trip. `bridge` is the oracle here only.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { NetlinkError, open, type Handle } from '../../lib/index.js';
import type { BridgeVlan } from '../../types/bridge-vlan.js';
import { ip, rootSkip, uniqueName } from '../helpers/netns.js';

interface Ns {
  name: string;
  h: Handle;
}

/** A fresh rtnl-brv-* namespace with br0 (up), veth0 and tap0 as its ports, and veth1 no port. */
function bridgeNetns(t: Test): Ns {
  const name = uniqueName('brv');
  ip('netns', 'add', name);
  const held: { h?: Handle } = {};
  t.teardown(() => {
    held.h?.close();
    ip('netns', 'del', name);
  });
  for (const cmd of [
    ['link', 'add', 'br0', 'type', 'bridge'],
    ['link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1'],
    ['link', 'set', 'veth0', 'master', 'br0'],
    ['tuntap', 'add', 'dev', 'tap0', 'mode', 'tap'],
    ['link', 'set', 'tap0', 'master', 'br0'],
    ['link', 'set', 'br0', 'up'],
  ])
    ip('-n', name, ...cmd);
  const h = open({ netns: name });
  held.h = h;
  return { name, h };
}

interface BridgeShow {
  ifname: string;
  vlans: { vlan: number; vlanEnd?: number; flags?: string[] }[];
}

/** `bridge [-compressvlans] -j vlan show` as one line per entry. */
function oracle(ns: Ns, compress = false): string[] {
  const args = ['-n', ns.name, '-j', ...(compress ? ['-compressvlans'] : []), 'vlan', 'show'];
  const out = execFileSync('bridge', args, { encoding: 'utf8' }).trim();
  const ports = (out ? JSON.parse(out) : []) as BridgeShow[];
  return ports.flatMap((p) =>
    p.vlans.map((v) =>
      [
        p.ifname,
        v.vlanEnd === undefined ? v.vlan : `${v.vlan}-${v.vlanEnd}`,
        v.flags?.includes('PVID') ? 'pvid' : '',
        v.flags?.includes('Egress Untagged') ? 'untagged' : '',
      ].join(' '),
    ),
  );
}
const ours = (vs: BridgeVlan[]): string[] =>
  vs.map((v) =>
    [
      v.dev,
      v.vidEnd === undefined ? v.vid : `${v.vid}-${v.vidEnd}`,
      v.pvid ? 'pvid' : '',
      v.untagged ? 'untagged' : '',
    ].join(' '),
  );

/** Whether the kernel keeps bridge VLANs: br_fill_info() reports the default PVID only with CONFIG_BRIDGE_VLAN_FILTERING. */
async function hasVlanFiltering(h: Handle): Promise<boolean> {
  const br = await h.link.get('br0');
  return br.type === 'bridge' && br.vlanDefaultPvid !== undefined;
}

t.test('list equals bridge vlan show, plain and compressed', { skip: rootSkip }, async (t) => {
  const ns = bridgeNetns(t);
  t.same(ours(await ns.h.bridgeVlan.list()), oracle(ns), 'bridge -j vlan show');
  t.same(ours(await ns.h.bridgeVlan.list({ compress: true })), oracle(ns, true), 'bridge -j -compressvlans vlan show');
  const mine = await ns.h.bridgeVlan.list({ dev: 'veth0' });
  t.same(
    ours(mine),
    oracle(ns).filter((l) => l.startsWith('veth0 ')),
    'dev filter',
  );
  if (!(await hasVlanFiltering(ns.h))) t.same(mine, [], 'no VLAN filtering in this kernel: no entries');
});

t.test('add/del against the kernel', { skip: rootSkip }, async (t) => {
  const ns = bridgeNetns(t);
  if (await hasVlanFiltering(ns.h)) {
    await ns.h.bridgeVlan.add({ dev: 'veth0', vid: 10, pvid: true, untagged: true });
    await ns.h.bridgeVlan.add({ dev: 'tap0', vid: 20, vidEnd: 22 });
    t.same(ours(await ns.h.bridgeVlan.list()), oracle(ns), 'after add: as bridge shows them');
    t.same(ours(await ns.h.bridgeVlan.list({ compress: true })), oracle(ns, true), 'compressed too');
    t.ok(oracle(ns).includes('veth0 10 pvid untagged'));
    for (const e of await ns.h.bridgeVlan.list({ dev: 'tap0', compress: true })) await ns.h.bridgeVlan.del(e);
    t.same(
      oracle(ns).filter((l) => l.startsWith('tap0 ')),
      [],
      'listed entries delete',
    );
    return;
  }
  // No CONFIG_BRIDGE_VLAN_FILTERING: the kernel refuses with EOPNOTSUPP, and says no more.
  const err = await ns.h.bridgeVlan.add({ dev: 'veth0', vid: 10, pvid: true, untagged: true }).catch((e: unknown) => e);
  t.type(err, NetlinkError);
  const e = err as NetlinkError;
  t.equal(e.code, 'EOPNOTSUPP');
  t.equal(e.op, 'RTM_SETLINK');
  t.match(e.message, /^bridgeVlan\.add dev veth0 vid 10: Operation not supported \(EOPNOTSUPP\)/);
  t.match(e.message, /this kernel has no bridge VLAN filtering support \(CONFIG_BRIDGE_VLAN_FILTERING\)/);
  for (const spec of [
    { dev: 'tap0', vid: 20, vidEnd: 22 },
    { dev: 'br0', vid: 10, self: true },
  ])
    await t.rejects(ns.h.bridgeVlan.add(spec), { code: 'EOPNOTSUPP', message: /CONFIG_BRIDGE_VLAN_FILTERING/ });
  // a device that is no bridge port has another reason
  await t.rejects(ns.h.bridgeVlan.add({ dev: 'veth1', vid: 10 }), {
    code: 'EOPNOTSUPP',
    message: /veth1 is not a bridge port/,
  });
  // del: the kernel ignores what it cannot hold (br_vlan_info() keeps no error for RTM_DELLINK)
  await t.resolves(ns.h.bridgeVlan.del({ dev: 'veth0', vid: 10 }));
  t.same(oracle(ns), [], 'still nothing');
});

t.test('a device that does not resolve: the call in front, the field named', { skip: rootSkip }, async (t) => {
  const ns = bridgeNetns(t);
  const err = await ns.h.bridgeVlan.add({ dev: 'nope0', vid: 10 }).catch((e: unknown) => e);
  t.type(err, NetlinkError);
  t.match(err, {
    code: 'ENODEV',
    field: 'dev',
    message: /^bridgeVlan\.add dev nope0 vid 10: dev nope0: No such device/,
  });
  await t.rejects(ns.h.bridgeVlan.list({ dev: 'nope0' }), {
    code: 'ENODEV',
    field: 'dev',
    message: /^bridgeVlan\.list: dev nope0: No such device/,
  });
});
