// Runs every example as a user would — `node dist/examples/NAME.js`, compiled from the current
// sources — and checks what it printed, that it exited 0 by itself, and that it removed every
// namespace it made. Each run gets a private /run/netns (a mount namespace of its own with a tmpfs
// there), so the examples' fixed, readable namespace names cannot collide with another run's, and
// whatever an example left behind is listed after it and vanishes with it. An example whose
// driver this kernel lacks must say so by name ("this kernel has no 'bond' driver") and exit 0;
// which drivers exist is asked of `ip` in a throwaway namespace. The host's links, addresses,
// routes and forwarding sysctls are compared before and after: no example may touch them.
// The README's tour runs too: its snippets in order, in a fresh network namespace with a veth
// `eth0` standing in for a NIC, as the README tells readers to try them.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, ensureBuilt } from '../helpers/build.js';
import { ip, rootSkip, tempNetns } from '../helpers/netns.js';

interface Case {
  /** Link types whose driver the example needs. */
  needs?: string[];
  /** What its output must show when it runs fully. */
  expect: RegExp[];
}

const hasPing = (process.env['PATH'] ?? '/usr/bin:/bin').split(':').some((d) => existsSync(join(d, 'ping')));
const OK = hasPing ? 'ok' : 'skipped \\(no ping\\)';
const re = (s: string, flags = 'm'): RegExp => new RegExp(s, flags);

const CASES: Record<string, Case> = {
  'bridge-network': { expect: [/rtnl-ex-c1 → 172\.18\.0\.3: ok/, /rtnl-ex-c2 → 172\.18\.0\.1: ok/] },
  'bridge-veth-namespaces': { expect: [/br0 has ports: veth-c1, veth-c2/, /eth0 02:42:ac:11:00:02/] },
  'macvlan-macvtap': {
    expect: [
      /vm0 on nic0, mode bridge, MAC 52:54:00:12:34:56: the VM opens \/dev\/tap\d+ \(\d+:\d+\)/,
      /vm0 now mode vepa/,
    ],
  },
  vxlan: {
    expect: [
      /vx100 id 100 local 10\.0\.0\.1 remote 10\.0\.0\.2 dstport 4789/,
      /vx200 id 200 group 239\.1\.1\.200/,
      /vx100 now ttl 16, ageing 120/,
    ],
  },
  'vxlan-overlay': { expect: [/ping 10\.200\.0\.2 from rtnl-ex-vx-a: ok/, /ping 10\.200\.0\.1 from rtnl-ex-vx-b: ok/] },
  veth: {
    expect: [
      re(`ping 10\\.10\\.0\\.2 from rtnl-ex-veth-host: ${OK}$`),
      /rtnl-ex-veth-ctr: default via 10\.10\.0\.1 dev eth0/,
    ],
  },
  'docker-none': {
    expect: [
      /links lo \(up\)$/m,
      /addresses 127\.0\.0\.1\/8 dev lo, ::1\/128 dev lo$/m,
      /route to 8\.8\.8\.8: ENETUNREACH/,
    ],
  },
  'docker-host': { expect: [/shares the host's network namespace/, /^host sees: +(.+)\ncontainer sees: +\1$/m] },
  'docker-macvlan': {
    expect: [
      re(`ping 192\\.168\\.1\\.61 from rtnl-ex-macvlan-c1: ${OK}$`),
      re(`ping 192\\.168\\.1\\.1 from rtnl-ex-macvlan-c1: ${OK}$`),
      re(`ping 192\\.168\\.1\\.60 from rtnl-ex-macvlan-host: ${hasPing ? 'no answer \\(as expected\\)' : OK}$`),
      /route get 192\.168\.1\.60 → dev macvlan0 src 192\.168\.1\.59/,
      re(`ping 192\\.168\\.1\\.60 from rtnl-ex-macvlan-host: ${OK}$`),
      /192\.168\.1\.60\/32 dev macvlan0 scope link/,
    ],
  },
  'docker-ipvlan': {
    needs: ['ipvlan'],
    expect: [
      re(`ping 192\\.168\\.2\\.61 from rtnl-ex-ipvlan-c1: ${OK}$`),
      re(`ping 192\\.168\\.2\\.1 from rtnl-ex-ipvlan-c1: ${OK}$`),
    ],
  },
  bond: {
    needs: ['bond'],
    expect: [
      re(`active port eth[12]; ping 10\\.20\\.0\\.1: ${OK}$`),
      re(`pulled: active port eth[12]; ping 10\\.20\\.0\\.1: ${OK}$`),
    ],
  },
  team: { needs: ['team'], expect: [/ports eth1, eth2, address 10\.30\.0\.2\/24/] },
  vlan: {
    needs: ['vlan'],
    expect: [
      /eth0\.10 id 10 protocol 802\.1Q/,
      re(`VLAN 10: ping 10\\.0\\.10\\.2 from rtnl-ex-vlan-a: ${OK}$`),
      re(`VLAN 20: ping 10\\.0\\.20\\.2 from rtnl-ex-vlan-a: ${OK}$`),
    ],
  },
  ipvtap: { needs: ['ipvtap'], expect: [/vm0 on nic0, mode l2, .*: the VM opens \/dev\/tap\d+ \(\d+:\d+\)/] },
  monitor: {
    expect: [
      /new addr 10\.20\.0\.1\/24 dev veth0/,
      /new route 10\.30\.0\.0\/16 via 10\.20\.0\.2 dev veth0 table 254/,
      /del route 10\.30\.0\.0\/16/,
      /events; the view holds \d+ objects$/m,
    ],
  },
  'policy-routing': {
    expect: [
      /route get to 8\.8\.8\.8 → via 192\.0\.2\.1 dev eth-a/,
      /route get to 203\.0\.113\.7 → via 198\.51\.100\.1 dev eth-b/,
      /route get to 8\.8\.8\.8 mark 0x2 → via 198\.51\.100\.1 dev eth-b/,
      /route get to 8\.8\.8\.8 from 198\.51\.100\.2 → via 198\.51\.100\.1 dev eth-b/,
      re(`ping 192\\.0\\.2\\.1 from rtnl-ex-pr-host: ${OK}$`),
      re(`ping 198\\.51\\.100\\.1 from rtnl-ex-pr-host: ${OK}$`),
    ],
  },
  'host-sysctls': {
    expect: [
      /net\.ipv4\.ip_forward = 1 \(was \d\)/,
      /undone: net\.ipv4\.ip_forward = \d/,
      /host: net\.ipv4\.ip_forward = \d \(untouched\)/,
    ],
  },
};

/** How `ip` creates a link of each optional type (p0 is a veth in the probing namespace). */
const PROBES: Record<string, string[]> = {
  bond: ['link', 'add', 'x0', 'type', 'bond'],
  team: ['link', 'add', 'x0', 'type', 'team'],
  vlan: ['link', 'add', 'link', 'p0', 'name', 'x0', 'type', 'vlan', 'id', '5'],
  ipvlan: ['link', 'add', 'link', 'p0', 'name', 'x0', 'type', 'ipvlan', 'mode', 'l2'],
  ipvtap: ['link', 'add', 'link', 'p0', 'name', 'x0', 'type', 'ipvtap', 'mode', 'l2'],
};

/** What of the host no example may change. */
function hostState(): string {
  const j = (...args: string[]): Record<string, unknown>[] =>
    JSON.parse(ip('-j', ...args) || '[]') as Record<string, unknown>[];
  const links = j('link', 'show').map(
    (l) => `${String(l['ifindex'])} ${String(l['ifname'])} ${JSON.stringify(l['flags'])} ${String(l['address'])}`,
  );
  const addrs = j('address', 'show').flatMap((l) =>
    ((l['addr_info'] ?? []) as Record<string, unknown>[]).map(
      (a) => `${String(l['ifname'])} ${String(a['local'])}/${String(a['prefixlen'])}`,
    ),
  );
  const routes = j('route', 'show', 'table', 'all').map(
    (r) => `${String(r['dst'])} ${String(r['gateway'])} ${String(r['dev'])} ${String(r['table'])} ${String(r['type'])}`,
  );
  const routes6 = j('-6', 'route', 'show', 'table', 'all').map(
    (r) => `${String(r['dst'])} ${String(r['gateway'])} ${String(r['dev'])} ${String(r['table'])} ${String(r['type'])}`,
  );
  const sysctls = [
    'net/ipv4/ip_forward',
    'net/ipv4/conf/all/forwarding',
    'net/ipv6/conf/all/forwarding',
    'net/bridge/bridge-nf-call-iptables',
  ]
    .filter((k) => existsSync(`/proc/sys/${k}`))
    .map((k) => `${k}=${spawnSync('cat', [`/proc/sys/${k}`], { encoding: 'utf8' }).stdout.trim()}`);
  return [...links, ...addrs, ...routes.sort(), ...routes6.sort(), ...sysctls].join('\n');
}

const MARK = '--- namespaces left ---';

/** Runs one compiled example in a private /run/netns; returns its output and what it left there. */
function runExample(name: string): {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  left: string[];
} {
  const script = `mkdir -p /run/netns && mount -t tmpfs rtnl-ex /run/netns && { node "$1"; rc=$?; echo '${MARK}'; ls -A /run/netns; exit $rc; }`;
  const r = spawnSync(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', join(ROOT, 'dist', 'examples', `${name}.js`)],
    {
      encoding: 'utf8',
      timeout: 90_000,
      cwd: ROOT,
    },
  );
  if (r.error) throw r.error;
  const [stdout = '', rest = ''] = r.stdout.split(`${MARK}\n`);
  return { status: r.status, signal: r.signal, stdout, stderr: r.stderr, left: rest.split('\n').filter(Boolean) };
}

t.test('examples', { skip: rootSkip }, async (t) => {
  const stale = await ensureBuilt();
  if (stale.length) t.comment(`compiled ${stale.length} changed sources first`);

  // Which optional drivers this kernel has, as ip finds them.
  const have = new Map<string, boolean>();
  const probe = tempNetns(t, { open: false });
  probe.ip('link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1');
  for (const [type, args] of Object.entries(PROBES)) {
    try {
      probe.ip(...args);
      probe.ip('link', 'del', 'x0');
      have.set(type, true);
    } catch (e) {
      const msg = String((e as { stderr?: unknown }).stderr ?? e);
      if (!/not supported|unknown device type/i.test(msg)) throw e;
      have.set(type, false);
    }
  }
  t.comment(`drivers: ${[...have].map(([k, v]) => `${k} ${v ? 'yes' : 'no'}`).join(', ')}`);

  const names = readdirSync(join(ROOT, 'examples'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
  t.ok(names.length >= Object.keys(CASES).length, `${names.length} examples`);
  for (const name of Object.keys(CASES)) t.ok(names.includes(name), `examples/${name}.ts exists`);

  const before = hostState();
  for (const name of names) {
    await t.test(name, async (t) => {
      const c = CASES[name];
      if (!c)
        t.comment(`examples/${name}.ts has no expectations here: checked only for exit status, errors and clean-up`);
      const missing = (c?.needs ?? []).filter((d) => have.get(d) === false);
      const r = runExample(name);
      t.equal(r.signal, null, 'ends by itself (not killed by the timeout)');
      t.equal(r.status, 0, 'exits 0');
      t.equal(r.stderr, '', 'nothing on stderr');
      t.same(r.left, [], 'removes every namespace it made');
      t.notMatch(r.stdout, /FAILED/, 'no check inside it failed');
      if (missing.length) {
        // The first missing driver stops it, by name, after cleaning up.
        t.match(
          r.stdout,
          re(`^skipped: .*\\(EOPNOTSUPP\\).*this kernel has no '(${missing.join('|')})' driver$`),
          `says it needs the ${missing.join('/')} driver`,
        );
      } else {
        t.notMatch(r.stdout, /^skipped:/m, 'runs fully (every driver it needs is here)');
        for (const e of c?.expect ?? []) t.match(r.stdout, e, `prints ${e.source}`);
      }
      if (r.status !== 0 || r.stderr) t.comment(r.stdout + r.stderr);
    });
  }
  t.equal(hostState(), before, 'the host namespace is as it was');
});

/** The README's tour as one script: each ```ts block in its own scope, importing the compiled package. */
function tourScript(): { script: string; blocks: number } {
  const md = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const tour = md.split(/^## A tour$/m)[1]?.split(/^## /m)[0] ?? '';
  const blocks = [...tour.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
  const lib = pathToFileURL(join(ROOT, 'dist', 'lib', 'index.js')).href;
  const parts = blocks.map((b, i) => {
    const code = b.replace(/^import \{([^}]*)\} from 'rtnetlink';$/gm, 'const {$1} = rtnl;');
    // after the bridge: the README promises that one container reaches the other
    const check = i === 0 ? "\nconsole.log('ping c1 → 172.18.0.3:', ping('c1', '172.18.0.3'));" : '';
    return `{\n${code}}${check}\nconsole.log('--- block ${i} done');\n`;
  });
  const prelude = [
    "import { execFileSync } from 'node:child_process';",
    `const rtnl = await import(${JSON.stringify(lib)});`,
    "const ping = (ns, a) => { try { execFileSync('ip', ['netns', 'exec', ns, 'ping', '-n', '-q', '-c', '1', '-W', '2', a], { stdio: 'ignore' }); return 'ok'; } catch { return 'FAILED'; } };",
  ].join('\n');
  return { script: `${prelude}\n${parts.join('')}`, blocks: blocks.length };
}

t.test('README tour', { skip: rootSkip || (hasPing ? false : 'needs ping') }, async (t) => {
  await ensureBuilt();
  const { script, blocks } = tourScript();
  t.ok(blocks >= 6, `${blocks} snippets in the tour`);
  const dir = mkdtempSync(join(tmpdir(), 'rtnl-readme-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'tour.mjs');
  writeFileSync(file, script);
  const sh = [
    'mkdir -p /run/netns && mount -t tmpfs rtnl-ex /run/netns',
    'ip link set lo up && ip link add eth0 up type veth peer name wire0 && ip link set wire0 up',
    `{ node "$1"; rc=$?; echo '${MARK}'; ls -A /run/netns; echo '--- links ---'; ip -o link show | cut -d: -f2 | cut -d@ -f1; exit $rc; }`,
  ].join(' && ');
  const r = spawnSync('unshare', ['--net', '--mount', '--propagation', 'private', 'sh', '-c', sh, 'sh', file], {
    encoding: 'utf8',
    timeout: 90_000,
  });
  if (r.error) throw r.error;
  const [out = '', rest = ''] = r.stdout.split(`${MARK}\n`);
  const [left = '', links = ''] = rest.split('--- links ---\n');
  t.equal(r.status, 0, 'runs to the end');
  t.equal(r.stderr, '', 'nothing on stderr');
  for (let i = 0; i < blocks; i++) t.match(out, `--- block ${i} done`, `snippet ${i + 1} ran`);
  t.match(out, "[ 'veth-c1', 'veth-c2' ]", 'the bridge has both containers as ports');
  t.match(out, 'ping c1 → 172.18.0.3: ok', 'one container reaches the other across the bridge');
  t.match(out, /\/dev\/tap\d+/, 'the macvtap reports its tap device');
  t.match(out, /^1000 0$/m, 'addMany: 1000 ok, 0 failed');
  t.match(out, /^new mon0 down$/m, 'the monitor saw the veth appear');
  t.match(out, /^del mon0 down$/m, 'and go');
  t.same(left.split('\n').filter(Boolean), [], 'the tour removes the namespaces it made');
  t.same(
    links
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .sort(),
    ['eth0', 'lo', 'wire0'],
    'and the links',
  );
  if (r.status !== 0 || r.stderr) t.comment(r.stdout + r.stderr);
});
