// Bonds against a kernel with a bonding driver, in throwaway rtnl-bond-* namespaces: API.md's
// re-add idiom (`link.add({ ...read, name })`) in every mode, options off their defaults, the
// 802.3ad aggregator (adInfo) and NS targets beside `ip -j -d link show`. This host's kernel has
// no CONFIG_BONDING, so here the tests are skipped; `scripts/uml-test.sh` runs them on User-mode
// Linux with the bonding module (as .ci/run does where User-mode Linux boots). Refusals that need
// no driver run everywhere.
import t from 'tap';
import type { BondLink, BondMode, Link } from '../../lib/index.js';
import { kindSkip, rootSkip, tempNetns } from '../helpers/netns.js';

const skip = kindSkip('bond');

type IpBond = { linkinfo?: { info_data?: Record<string, unknown> } };

/** The fields of two reads that should agree (not the identity, counters or carrier state). */
function options(l: Link): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(l))
    if (!['index', 'name', 'address', 'permAddress', 'stats', 'flags', 'operstate', 'up'].includes(k)) out[k] = v;
  return out;
}

function asBond(l: Link): BondLink {
  if (l.type !== 'bond') throw new Error(`${l.name} is a ${l.type}`);
  return l;
}

t.test(
  "a read bond re-added is a like bond, in every mode (the kernel's defaults are not sent back)",
  { skip },
  async (t) => {
    const { h } = tempNetns(t, { tag: 'bond' });
    const modes: BondMode[] = [
      'balance-rr',
      'active-backup',
      'balance-xor',
      'broadcast',
      '802.3ad',
      'balance-tlb',
      'balance-alb',
    ];
    for (const [i, mode] of modes.entries()) {
      const read = await h.link.add({ type: 'bond', name: `b${i}`, mode });
      const again = await h.link.add({ ...read, name: `c${i}` });
      t.strictSame(options(again), options(read), mode);
    }
  },
);

t.test('802.3ad options off their defaults: set, re-added, and read by ip alike', { skip }, async (t) => {
  const ns = tempNetns(t, { tag: 'bond' });
  const { h } = ns;
  const spec = {
    mode: '802.3ad',
    miimon: 100,
    updelay: 200,
    lacpRate: 'fast',
    adSelect: 'count',
    adActorSysPrio: 100,
    adUserPortKey: 5,
    adActorSystem: '02:00:00:00:00:05',
    lacpActive: false,
    xmitHashPolicy: 'layer3+4',
  } as const;
  const x0 = await h.link.add({ type: 'bond', name: 'x0', ...spec });
  t.match(x0, spec);
  const x1 = await h.link.add({ ...x0, name: 'x1' });
  t.strictSame(options(x1), options(x0), 're-added');
  const [info] = ns.ipJson<IpBond[]>('-d', 'link', 'show', 'dev', 'x1');
  t.match(info?.linkinfo?.info_data, {
    mode: '802.3ad',
    miimon: 100,
    updelay: 200,
    ad_lacp_rate: 'fast',
    ad_select: 'count',
    ad_actor_sys_prio: 100,
    ad_user_port_key: 5,
    ad_actor_system: '02:00:00:00:00:05',
    xmit_hash_policy: 'layer3+4',
  });
});

t.test('adInfo and nsIp6Target, beside ip', { skip }, async (t) => {
  const ns = tempNetns(t, { tag: 'bond' });
  const { h } = ns;
  await h.link.add({ type: 'bond', name: 'b0', mode: '802.3ad', nsIp6Target: ['2001:db8::1', '2001:db8::2'] });
  await h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
  await h.link.set('p1', { up: true }); // p0's carrier
  await h.link.set('p0', { master: 'b0' });
  await h.link.set('b0', { up: true });
  let b0 = asBond(await h.link.get('b0'));
  for (let i = 0; i < 150 && !b0.adInfo; i++) {
    await new Promise((r) => setTimeout(r, 100));
    b0 = asBond(await h.link.get('b0'));
  }
  const [info] = ns.ipJson<IpBond[]>('-d', 'link', 'show', 'dev', 'b0');
  const data = info?.linkinfo?.info_data ?? {};
  t.strictSame(b0.nsIp6Target, data['ns_ip6_target'], 'nsIp6Target as ip reads it');
  const ad = data['ad_info'] as Record<string, unknown> | undefined;
  t.ok(ad, 'an active aggregator');
  t.match(b0.adInfo, {
    aggregator: ad?.['aggregator'],
    numPorts: ad?.['num_ports'],
    actorKey: ad?.['actor_key'],
    partnerKey: ad?.['partner_key'],
    partnerMac: ad?.['partner_mac'],
  });
});

t.test('a read active-backup bond with an active port re-adds without it', { skip }, async (t) => {
  const { h } = tempNetns(t, { tag: 'bond' });
  await h.link.add({ type: 'bond', name: 'ab', mode: 'active-backup', miimon: 100 });
  await h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
  await h.link.set('p1', { up: true }); // p0's carrier
  await h.link.set('p0', { master: 'ab' });
  let ab = asBond(await h.link.set('ab', { primary: 'p0', up: true }));
  for (let i = 0; i < 150 && ab.activeSlave === undefined; i++) {
    await new Promise((r) => setTimeout(r, 100));
    ab = asBond(await h.link.get('ab'));
  }
  t.equal(ab.activeSlave, ab.primary, 'p0 is active');
  const ab2 = await h.link.add({ ...ab, name: 'ab2' });
  t.match(ab2, { type: 'bond', mode: 'active-backup', miimon: 100, activeSlave: undefined });
});

t.test('activeSlave in a hand-written link.add is refused before anything is sent', { skip: rootSkip }, async (t) => {
  const { h } = tempNetns(t, { tag: 'bond' });
  await t.rejects(h.link.add({ type: 'bond', name: 'b0', activeSlave: 'p0' }), {
    name: 'TypeError',
    message: 'Field "activeSlave" is not taken by link.add (set it with link.set once the bond has ports)',
  });
  await t.rejects(h.link.get('b0'), { code: 'ENODEV' }, 'nothing was made');
});
