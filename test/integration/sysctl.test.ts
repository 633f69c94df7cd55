// sysctl against the kernel, inside throwaway namespaces, with `ip netns exec NS sysctl` (procps)
// as the oracle. The host's sysctls are only read: before and after, to prove them unchanged.
import t from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { rootSkip, tempNetns, type TempNetns } from '../helpers/netns.js';
import { sysctl, SysctlError, type SysctlFailure } from '../../lib/index.js';
import { openSysctlFile, SysctlApi, type SysctlOpener } from '../../lib/sysctl.js';
import { knownSysctlKeys, parseKey } from '../../lib/sysctl-keys.js';

const hasSysctl = (() => {
  try {
    execFileSync('sysctl', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = rootSkip || (hasSysctl ? false : 'needs sysctl(8) as the oracle (apt-get install procps)');

/** Every key a test here writes (in a namespace), read on the host before and after. */
const TOUCHED = [
  'net.ipv4.ip_forward',
  'net.core.somaxconn',
  'net.ipv4.conf.all.rp_filter',
  'net.ipv6.conf.all.disable_ipv6',
  'net.ipv4.neigh.lo.gc_stale_time',
  'net.ipv4.neigh.lo.unres_qlen',
  'net.ipv4.ip_local_port_range',
  'net.bridge.bridge-nf-call-iptables',
  'net.bridge.bridge-nf-call-ip6tables',
  'net.bridge.bridge-nf-call-arptables',
  'net.ipv4.conf.all.forwarding',
  'net.ipv4.conf.default.forwarding',
];
function hostValues(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of TOUCHED) {
    try {
      out[k] = readFileSync(parseKey(k).path, 'utf8');
    } catch (e) {
      out[k] = `(${(e as NodeJS.ErrnoException).code})`;
    }
  }
  return out;
}

/** `ip netns exec NS sysctl -n KEY` */
function oracle(ns: TempNetns, key: string): string {
  return ns.exec('sysctl', '-n', key).replace(/\n$/, '');
}

/** `ip netns exec NS sysctl --deprecated PREFIX` (or -a) parsed into key → value; stderr (unreadable keys) ignored. */
function oracleList(ns: TempNetns, prefix?: string): Record<string, string> {
  let text: string;
  try {
    text = execFileSync('ip', ['netns', 'exec', ns.name, 'sysctl', '--deprecated', prefix ?? '-a'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (e) {
    text = String((e as { stdout?: unknown }).stdout ?? ''); // exit 1 when some key was unreadable
  }
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf(' = ');
    if (at > 0) out[line.slice(0, at)] = line.slice(at + 3);
  }
  return out;
}

async function failure(p: Promise<unknown>): Promise<SysctlError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SysctlError) return e;
    throw e;
  }
  throw new Error('expected a SysctlError');
}

t.test('sysctl in throwaway namespaces', { skip }, async (t) => {
  const hostBefore = hostValues();
  // Canary: should a namespace's write ever reach the host (a regression in the opener), put the
  // one key back at once and stop before any other test writes anything.
  const hostMax = readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim();
  const canary = tempNetns(t);
  await canary.h.sysctl.set('net.core.somaxconn', Number(hostMax) + 1);
  if (readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim() !== hostMax) {
    writeFileSync('/proc/sys/net/core/somaxconn', `${hostMax}\n`);
    t.bailout('a write through a namespace handle reached the host; restored net.core.somaxconn and stopped');
  }
  t.equal(
    oracle(canary, 'net.core.somaxconn'),
    String(Number(hostMax) + 1),
    'canary: the write landed in the namespace only',
  );

  t.test('get and set read and write the namespace, as sysctl(8) sees it', async (t) => {
    const ns = tempNetns(t);
    const s = ns.h.sysctl;
    t.equal(await s.get('net.ipv4.ip_forward'), oracle(ns, 'net.ipv4.ip_forward'));
    const hostFwd = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    const want = hostFwd === '1' ? false : true;
    await s.set('net.ipv4.ip_forward', want);
    t.equal(oracle(ns, 'net.ipv4.ip_forward'), want ? '1' : '0', 'boolean written as 1/0');
    t.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), hostFwd, 'host value unchanged');
    const hostMax = readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim();
    const n = Number(hostMax) === 1234 ? 1235 : 1234;
    await s.set('net/core/somaxconn', n);
    t.equal(oracle(ns, 'net.core.somaxconn'), String(n));
    t.equal(await s.get('net.core.somaxconn'), String(n));
    t.equal(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim(), hostMax);
    await s.set('net.ipv4.ip_local_port_range', '20000 30000');
    t.equal(await s.get('net.ipv4.ip_local_port_range'), oracle(ns, 'net.ipv4.ip_local_port_range'));
    t.equal(await s.get('net.ipv4.ip_local_port_range'), '20000\t30000', 'multi-value keys as the kernel prints them');
    // The default (module-level) sysctl reads the caller's namespace.
    t.equal(await sysctl.get('net.core.somaxconn'), hostMax);
  });

  t.test('the slash form reaches an interface whose name has a dot', async (t) => {
    const ns = tempNetns(t);
    ns.ip('link', 'add', 'br0.10', 'type', 'bridge');
    const s = ns.h.sysctl;
    for (const v of [1, 0]) {
      await s.set('net/ipv4/conf/br0.10/forwarding', v);
      t.equal(oracle(ns, 'net.ipv4.conf.br0/10.forwarding'), String(v), `slash form set ${v}`);
      t.equal(ns.exec('cat', '/proc/sys/net/ipv4/conf/br0.10/forwarding').trim(), String(v));
      t.equal(await s.get('net.ipv4.conf.br0/10.forwarding'), String(v), 'dotted form with / for the dot');
    }
    await s.set('net.ipv6.conf.br0/10.disable_ipv6', true);
    t.equal(oracle(ns, 'net.ipv6.conf.br0/10.disable_ipv6'), '1');
    t.equal(oracle(ns, 'net.ipv6.conf.all.disable_ipv6'), '0', 'only that interface');
    const listed = await s.list('net/ipv4/conf/br0.10');
    t.same(listed, oracleList(ns, 'net.ipv4.conf.br0/10'), 'list equals `sysctl net.ipv4.conf.br0/10`');
    t.ok(Object.keys(listed).length > 20);
  });

  t.test('list: the whole namespace as `sysctl -a` shows it; write-only skipped, unreadable reported', async (t) => {
    const ns = tempNetns(t);
    const s = ns.h.sysctl;
    const errors: [string, SysctlFailure][] = [];
    const mine = await s.list(undefined, { onError: (k, e) => errors.push([k, e]) });
    const theirs = Object.fromEntries(Object.entries(oracleList(ns)).filter(([k]) => k.startsWith('net.')));
    t.same(
      Object.keys(mine).sort(),
      Object.keys(theirs).sort(),
      `${Object.keys(mine).length} net.* keys, the same as sysctl -a`,
    );
    for (const k of [
      'net.ipv4.ip_forward',
      'net.core.somaxconn',
      'net.ipv4.conf.lo.forwarding',
      'net.bridge.bridge-nf-call-iptables',
    ]) {
      t.equal(mine[k], theirs[k], k);
    }
    t.notOk('net.ipv4.route.flush' in mine, 'write-only net.ipv4.route.flush skipped');
    t.notOk(
      errors.some(([k]) => k === 'net.ipv4.route.flush'),
      'and not reported as an error',
    );
    const route = await s.list('net.ipv4.route');
    t.ok(
      Object.keys(route).length >= 1 && Object.keys(route).every((k) => k.startsWith('net.ipv4.route.')),
      Object.keys(route).join(' '),
    );
    // stable_secret reads EIO until it is set: reported, left out.
    const secret = errors.find(([k]) => k === 'net.ipv6.conf.lo.stable_secret');
    t.ok(secret, 'net.ipv6.conf.lo.stable_secret reported');
    t.equal(secret?.[1].code, 'EIO');
    t.notOk('net.ipv6.conf.lo.stable_secret' in mine);
    t.same(
      await s.list('net.ipv4.ip_forward'),
      { 'net.ipv4.ip_forward': oracle(ns, 'net.ipv4.ip_forward') },
      'a file prefix',
    );
  });

  t.test('apply returns the previous values and apply(previous) restores every key', async (t) => {
    const ns = tempNetns(t);
    const s = ns.h.sysctl;
    const keys = [
      'net.ipv4.ip_forward',
      'net.ipv4.conf.all.rp_filter',
      'net.core.somaxconn',
      'net.ipv6.conf.all.disable_ipv6',
      'net.ipv4.neigh.lo.gc_stale_time',
      'net.ipv4.ip_local_port_range',
    ];
    const before = Object.fromEntries(keys.map((k) => [k, oracle(ns, k)]));
    const values = {
      'net.ipv4.ip_forward': 1,
      'net.ipv4.conf.all.rp_filter': 2,
      'net.core.somaxconn': 777,
      'net.ipv6.conf.all.disable_ipv6': true,
      'net.ipv4.neigh.lo.gc_stale_time': 64,
      'net.ipv4.ip_local_port_range': '20000 30000',
    } as const;
    const previous = await s.apply(values);
    t.same(previous, before, 'previous values, as sysctl -n printed them');
    t.same(
      keys.map((k) => oracle(ns, k)),
      ['1', '2', '777', '1', '64', '20000\t30000'],
      'all applied',
    );
    const again = await s.apply(previous);
    t.same(
      again,
      Object.fromEntries(keys.map((k, i) => [k, ['1', '2', '777', '1', '64', '20000\t30000'][i]])),
      'apply(previous) returns what apply had set',
    );
    t.same(Object.fromEntries(keys.map((k) => [k, oracle(ns, k)])), before, 'every key restored');
  });

  t.test('a failing apply leaves nothing half-applied and names the key', async (t) => {
    const ns = tempNetns(t);
    const s = ns.h.sysctl;
    const keys = [
      'net.core.somaxconn',
      'net.ipv4.conf.all.rp_filter',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.neigh.lo.unres_qlen',
    ];
    const before = Object.fromEntries(keys.map((k) => [k, oracle(ns, k)]));
    const e = await failure(
      s.apply({
        'net.core.somaxconn': 555,
        'net.ipv4.conf.all.rp_filter': before['net.ipv4.conf.all.rp_filter'] === '1' ? 2 : 1,
        'net.ipv4.ip_local_port_range': '5000 1000', // low > high: EINVAL
        'net.ipv4.neigh.lo.unres_qlen': 99,
      }),
    );
    t.equal(e.code, 'EINVAL');
    t.equal(e.key, 'net.ipv4.ip_local_port_range');
    t.equal(e.value, '5000 1000');
    t.match(
      e.message,
      /net\.ipv4\.ip_local_port_range="5000 1000".*invalid argument.*restored net\.ipv4\.conf\.all\.rp_filter, net\.core\.somaxconn/i,
    );
    t.same(e.restored, ['net.ipv4.conf.all.rp_filter', 'net.core.somaxconn']);
    t.same(Object.fromEntries(keys.map((k) => [k, oracle(ns, k)])), before, 'every key as before');
  });

  t.test('errors: ENOENT, read-only, EINVAL, a directory, keys outside the namespace', async (t) => {
    const ns = tempNetns(t);
    const s = ns.h.sysctl;
    let e = await failure(s.get('net.ipv4.no_such_key'));
    t.match(e, {
      code: 'ENOENT',
      errno: 2,
      syscall: 'open',
      key: 'net.ipv4.no_such_key',
      path: '/proc/sys/net/ipv4/no_such_key',
    });
    t.match(e.message, /net\.ipv4\.no_such_key.*no such key/);
    e = await failure(s.set('net/ipv4/no_such_key', 1));
    t.match(e, { code: 'ENOENT', key: 'net/ipv4/no_such_key' });
    e = await failure(s.get('net.ipv4.ip_forward.below_a_file'));
    t.equal(e.code, 'ENOENT', 'a file in the middle of a key: no such key');
    e = await failure(s.get('net.core.netdev_max_backlog'));
    t.match(e, { code: 'ENOENT', message: /only in the initial network namespace/ }, 'init-only keys say so');
    const ro = 'net.ipv4.tcp_available_congestion_control';
    const roBefore = oracle(ns, ro);
    e = await failure(s.set(ro, 'reno'));
    t.ok(e.code === 'EACCES' || e.code === 'EPERM', e.code);
    t.match(e.message, /read-only/);
    t.equal(oracle(ns, ro), roBefore);
    e = await failure(s.set('net.ipv4.ip_forward', 'abc'));
    t.match(e, { code: 'EINVAL', key: 'net.ipv4.ip_forward', value: 'abc', syscall: 'write' });
    t.match(e.message, /net\.ipv4\.ip_forward="abc".*refused the value/);
    e = await failure(s.get('net.ipv4'));
    t.equal(e.code, 'EISDIR');
    await t.rejects(s.get('kernel.hostname'), { name: 'TypeError', message: /not per network namespace/ });
    // The namespace's file removed under the handle: an error about the namespace, not the key.
    const gone = tempNetns(t);
    execFileSync('ip', ['netns', 'del', gone.name]);
    e = await failure(gone.h.sysctl.get('net.ipv4.ip_forward'));
    t.match(e, {
      code: 'ENOENT',
      netns: `/run/netns/${gone.name}`,
      message: /cannot enter the handle's network namespace/,
    });
  });

  t.test('prepareHost in a namespace: the seed settings, reported, undone by apply(previous)', async (t) => {
    const ns = tempNetns(t);
    const s = ns.h.sysctl;
    const keys = [
      'net.ipv4.ip_forward',
      'net.bridge.bridge-nf-call-iptables',
      'net.bridge.bridge-nf-call-ip6tables',
      'net.bridge.bridge-nf-call-arptables',
    ];
    const want = ['1', '0', '0', '0'];
    // Make one key already right, so `changed` has to tell them apart.
    ns.exec('sysctl', '-qw', 'net.bridge.bridge-nf-call-arptables=0', 'net.bridge.bridge-nf-call-iptables=1');
    const before = Object.fromEntries(keys.map((k) => [k, oracle(ns, k)]));
    const r = await s.prepareHost();
    t.same(
      keys.map((k) => oracle(ns, k)),
      want,
      'ip_forward=1, bridge-nf-call-*=0',
    );
    t.same(r.previous, before);
    t.same(
      r.changed,
      keys.filter((k, i) => before[k] !== want[i]),
    );
    t.ok(
      r.changed.includes('net.bridge.bridge-nf-call-iptables') &&
        !r.changed.includes('net.bridge.bridge-nf-call-arptables'),
    );
    t.same(r.missing, []);
    await s.apply(r.previous);
    t.same(Object.fromEntries(keys.map((k) => [k, oracle(ns, k)])), before, 'undone');
  });

  t.test('refused keys open nothing through the real opener (descriptor count unchanged)', async (t) => {
    const ns = tempNetns(t);
    let opened = 0;
    const counting: SysctlOpener = (target, path, flags) => {
      opened++;
      return openSysctlFile(target, path, flags);
    };
    const api = new SysctlApi(ns.h, counting);
    const fds = readdirSync('/proc/self/fd').length;
    const bad = [
      '../../../etc/passwd',
      'net/../../etc/passwd',
      '/etc/passwd',
      'net..ipv4',
      'net/ipv4/./ip_forward',
      'net\0',
      'net.ipv4.conf.//.x',
      'net/' + 'x'.repeat(300),
      '',
      'kernel.hostname',
    ];
    for (const k of bad) {
      await t.rejects(api.get(k), TypeError);
      await t.rejects(api.set(k, 0), TypeError);
    }
    t.equal(opened, 0);
    t.equal(readdirSync('/proc/self/fd').length, fds);
    t.equal(
      await api.get('net.ipv4.ip_forward'),
      oracle(ns, 'net.ipv4.ip_forward'),
      'the same opener does open valid keys',
    );
    t.equal(opened, 1);
    t.equal(readdirSync('/proc/self/fd').length, fds, 'and closes them');
  });

  t.test('the common keys exist on this kernel (in a namespace or, for init-only ones, on the host)', async (t) => {
    const ns = tempNetns(t);
    for (const k of knownSysctlKeys()) {
      const v = await ns.h.sysctl.get(k).catch(() => sysctl.get(k));
      t.type(v, 'string', k);
    }
  });

  t.test("the host's sysctls are unchanged (read only, before and after)", async (t) => {
    t.same(hostValues(), hostBefore);
  });
});
