// Captures real kernel dumps as fuzz seeds: builds a throwaway namespace with many kinds of
// links, addresses, routes, nexthops, neighbours, FDB entries and rules (with `ip`, the oracle),
// dumps each table through the package's raw h.request(), and writes the reply messages (nlmsghdr
// included, seq/pid zeroed) to test/fixtures/fuzz-seeds/<table>.bin. Root only; run by hand:
//   node --import=@tapjs/typescript/import test/fuzz/capture-seeds.ts
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open } from '../../lib/index.js';
import { AF_BRIDGE, AF_INET, AF_INET6, AF_UNSPEC, NLM_F_DUMP } from '../../lib/core/constants.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'fuzz-seeds');
const ns = `rtnl-seed-${process.pid}`;
const peerNs = `${ns}-p`;
const sh = (cmd: string): void => {
  try {
    execFileSync('ip', ['-n', ns, ...cmd.split(' ')], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    console.error(`skipped (${(e as { stderr?: Buffer }).stderr?.toString().trim()}): ip ${cmd}`);
  }
};

function header(type: number, flags: number, body: Buffer): Buffer {
  const len = 16 + body.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  body.copy(b, 16);
  return b;
}

const family = (size: number, af: number): Buffer => {
  const b = Buffer.alloc(size);
  b[0] = af;
  return b;
};
// IFLA_EXT_MASK (29) = RTEXT_FILTER_VF | RTEXT_FILTER_BRVLAN | RTEXT_FILTER_SKIP_STATS? no: VF|BRVLAN
const extMask = Buffer.from([8, 0, 29, 0, 3, 0, 0, 0]);

const dumps: Array<[string, number, Buffer]> = [
  ['link', 18, Buffer.concat([family(16, AF_UNSPEC), extMask])],
  ['link-bridge', 18, Buffer.concat([family(16, AF_BRIDGE), extMask])],
  ['addr', 22, family(8, AF_UNSPEC)],
  ['route4', 26, family(12, AF_INET)],
  ['route6', 26, family(12, AF_INET6)],
  ['nexthop', 106, family(8, AF_UNSPEC)],
  ['neigh', 30, family(12, AF_UNSPEC)],
  ['fdb', 30, family(12, AF_BRIDGE)],
  ['rule4', 34, family(12, AF_INET)],
  ['rule6', 34, family(12, AF_INET6)],
  ['netconf', 82, family(4, AF_UNSPEC)],
  ['nsid', 90, family(4, AF_UNSPEC)],
];

async function main(): Promise<void> {
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', ['netns', 'add', peerNs]);
  const h = open({ netns: ns });
  try {
    for (const c of [
      'link set lo up',
      'link add br0 type bridge stp_state 1 forward_delay 400 ageing_time 1000',
      'link add v0 type veth peer name v0p',
      `link set v0p netns ${peerNs}`,
      'link add v1 type veth peer name v1p',
      'link set v1 master br0',
      'link add vx0 type vxlan id 42 dstport 4789 remote 192.0.2.9 local 192.0.2.1 ttl 5',
      'link add vx1 type vxlan id 43 dstport 4790 group 239.1.1.1 dev v1p',
      'link add mv0 link v1p type macvlan mode bridge',
      'link add mvt0 link v1p type macvtap mode vepa',
      'link add ifb0 type ifb',
      'tuntap add tap0 mode tap',
      'link set dev v1p alias peer-side',
      'link set br0 up',
      'link set v1 up',
      'link set v1p up',
      'link set v0 up',
      'link set vx0 up',
      'link set mv0 up',
      'addr add 10.0.0.1/24 dev v0 label v0:one',
      'addr add 10.0.1.1/24 brd + dev v1p',
      'addr add 192.0.2.1/32 peer 192.0.2.2 dev v1p',
      'addr add 2001:db8::1/64 dev v1p nodad',
      'addr add 2001:db8:1::1/64 dev v1p nodad valid_lft 300 preferred_lft 100',
      'route add 10.9.0.0/16 via 10.0.1.2 dev v1p metric 50 mtu 1400',
      'route add 10.8.0.0/16 nexthop via 10.0.1.2 weight 2 nexthop via 10.0.1.3 weight 1',
      'route add blackhole 10.7.0.0/16',
      'route add unreachable 10.6.0.0/16 table 100',
      'route add prohibit 10.5.0.0/16',
      'route add 2001:db8:9::/48 via 2001:db8::2 dev v1p metric 1024',
      'route add 10.4.0.0/16 via inet6 2001:db8::2 dev v1p',
      'nexthop add id 10 via 10.0.1.2 dev v1p',
      'nexthop add id 11 via 10.0.1.3 dev v1p',
      'nexthop add id 12 group 10/11,3',
      'nexthop add id 13 blackhole',
      'route add 10.3.0.0/16 nhid 12',
      'neigh add 10.0.1.5 lladdr 02:00:00:00:00:05 dev v1p nud permanent',
      'neigh add 2001:db8::5 lladdr 02:00:00:00:00:06 dev v1p nud reachable',
      'neigh add 10.0.1.6 lladdr 02:00:00:00:00:09 dev v1p nud stale',
      'rule add from 10.0.0.0/8 to 10.1.0.0/16 table 100 priority 100 fwmark 0x10/0xff iif v1p',
      'rule add not from 10.2.0.0/16 priority 200 prohibit',
      '-6 rule add to 2001:db8::/32 table 100 priority 300',
    ])
      sh(c);
    for (const c of [
      ['fdb', 'append', '00:00:00:00:00:00', 'dev', 'vx0', 'dst', '192.0.2.10'],
      ['fdb', 'add', '02:00:00:00:00:07', 'dev', 'v1', 'master', 'static'],
      ['fdb', 'add', '02:00:00:00:00:08', 'dev', 'vx0', 'dst', '192.0.2.11', 'vni', '42'],
    ]) {
      try {
        execFileSync('bridge', ['-n', ns, ...c], { stdio: ['ignore', 'ignore', 'pipe'] });
      } catch (e) {
        console.error(`skipped (${(e as { stderr?: Buffer }).stderr?.toString().trim()}): bridge ${c.join(' ')}`);
      }
    }
    mkdirSync(out, { recursive: true });
    for (const [name, type, body] of dumps) {
      try {
        const replies = await h.request({ type, flags: NLM_F_DUMP, body });
        const bin = Buffer.concat(replies.map((r) => header(r.type, r.flags, r.body)));
        writeFileSync(join(out, `${name}.bin`), bin);
        console.log(`${name}: ${replies.length} messages, ${bin.length} bytes`);
      } catch (e) {
        console.error(`${name}: ${(e as Error).message}`);
      }
    }
  } finally {
    h.close();
    execFileSync('ip', ['netns', 'del', ns]);
    execFileSync('ip', ['netns', 'del', peerNs]);
  }
}

await main();
