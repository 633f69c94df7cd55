// sysctl without root: key parsing, refused keys (none of which reaches the opener), value
// encoding, and apply/rollback/prepareHost/list against a fake /proc/sys (a temp directory the
// injected opener maps /proc/sys onto; /dev/full stands in for a key whose write fails).
import t from 'tap';
import { constants, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Handle } from '../../lib/handle.js';
import type { NetnsTarget } from '../../lib/binding.js';
import { encodeValue, SysctlApi, SysctlError, type SysctlOpener } from '../../lib/sysctl.js';
import { knownSysctlKeys, parseKey } from '../../lib/sysctl-keys.js';
import { SysctlError as PublicSysctlError, HOST_PREPARATION, type SysctlValues } from '../../lib/index.js';
import type { TestLike } from '../helpers/netns.js';

/** Keys that must be refused before anything is opened (≥ 20 traversal and garbage attempts). */
const REFUSED: readonly unknown[] = [
  '',
  '.',
  '..',
  '/',
  '../',
  '../etc/passwd',
  'net/../../etc/passwd',
  '/etc/passwd',
  '/proc/sys/net/ipv4/ip_forward',
  'net..ipv4',
  'net.ipv4..ip_forward',
  '.net.ipv4',
  'net.ipv4.',
  'net/ipv4/',
  'net//ipv4',
  'net/ipv4/./ip_forward',
  'net/./ipv4',
  'net.ipv4.conf.//.x',
  'net.ipv4.conf./..forwarding',
  'net.ipv4.ip_forward/../../../etc',
  'net/ipv4/conf/lo/../../../../proc/self/root/etc/passwd',
  'net\0ipv4',
  'net.ipv4.ip_forward\0',
  'net/ipv4\0/../x',
  'net.ipv4.ip_forward\n',
  ' net.ipv4.ip_forward',
  'net.ipv4.ip forward',
  'net\tipv4',
  'net.ipv4.ip_forward\r',
  'file:///etc/passwd',
  '//etc/passwd',
  'net/' + 'a'.repeat(256),
  'net.' + 'a'.repeat(300),
  'a.'.repeat(2100) + 'a',
  undefined,
  null,
  42,
  0,
  true,
  {},
  [],
  ['net', 'ipv4', 'ip_forward'],
  new String('net.ipv4.ip_forward'),
  Symbol('net.ipv4.ip_forward'),
  Buffer.from('net.ipv4.ip_forward'),
  { toString: () => '../../etc/passwd' },
  () => 'x',
  10n,
];

function fakeHandle(target: NetnsTarget = {}, closed = false): Handle {
  return { target, closed } as unknown as Handle;
}

function countFds(): number {
  return readdirSync('/proc/self/fd').length;
}

t.test('parseKey: the dotted and slashed forms of sysctl(8)', async (t) => {
  const dotted = parseKey('net.ipv4.ip_forward');
  t.same(dotted.components, ['net', 'ipv4', 'ip_forward']);
  t.equal(dotted.path, '/proc/sys/net/ipv4/ip_forward');
  t.equal(dotted.dotted, 'net.ipv4.ip_forward');
  const slashed = parseKey('net/ipv4/conf/eth0.10/forwarding');
  t.same(slashed.components, ['net', 'ipv4', 'conf', 'eth0.10', 'forwarding']);
  t.equal(slashed.path, '/proc/sys/net/ipv4/conf/eth0.10/forwarding');
  t.equal(slashed.dotted, 'net.ipv4.conf.eth0/10.forwarding', 'printed as sysctl -a prints it');
  // sysctl(8)'s dotted form: a '/' inside a component stands for a dot.
  const escaped = parseKey('net.ipv4.conf.eth0/10.forwarding');
  t.equal(escaped.path, slashed.path);
  t.equal(escaped.key, 'net.ipv4.conf.eth0/10.forwarding', 'the key is kept as given');
  t.equal(parseKey('net').path, '/proc/sys/net');
  t.equal(parseKey('net.bridge.bridge-nf-call-iptables').path, '/proc/sys/net/bridge/bridge-nf-call-iptables');
  t.equal(parseKey('kernel/hostname').path, '/proc/sys/kernel/hostname');
});

t.test('every refused key throws a TypeError naming "key" and opens nothing', async (t) => {
  t.ok(REFUSED.length >= 20, `${REFUSED.length} attempts`);
  let opened = 0;
  const opener: SysctlOpener = () => {
    opened++;
    throw new Error('the opener must not be reached');
  };
  const api = new SysctlApi(fakeHandle(), opener);
  const fdsBefore = countFds();
  for (const key of REFUSED) {
    const label = typeof key === 'string' ? JSON.stringify(key.slice(0, 60)) : String(typeof key);
    t.throws(() => parseKey(key), { name: 'TypeError', message: /"key"/ }, `parseKey ${label}`);
    await t.rejects(api.get(key as string), { name: 'TypeError', message: /"key"/ }, `get ${label}`);
    await t.rejects(api.set(key as string, 1), { name: 'TypeError', message: /"key"/ }, `set ${label}`);
    if (typeof key === 'string') {
      await t.rejects(
        api.apply({ 'net.ipv4.ip_forward': 1, [key]: 1 }),
        { name: 'TypeError', message: /"key"/ },
        `apply ${label}`,
      );
    }
    if (key !== undefined)
      await t.rejects(api.list(key as string), { name: 'TypeError', message: /"prefix"/ }, `list ${label}`);
  }
  t.equal(opened, 0, 'the opener was never called');
  t.equal(countFds(), fdsBefore, 'no descriptor was opened');
});

t.test('a handle bound to another namespace refuses keys outside net.*, opening nothing', async (t) => {
  let opened = 0;
  const api = new SysctlApi(fakeHandle({ netnsPath: '/run/netns/none' }), () => {
    opened++;
    throw new Error('unreachable');
  });
  for (const key of ['kernel.hostname', 'vm/swappiness', 'fs.file-max', 'netx.ipv4']) {
    await t.rejects(api.get(key), { name: 'TypeError', message: /net\.\* key .* not per network namespace/ }, key);
    await t.rejects(api.set(key, 1), TypeError, key);
    await t.rejects(api.list(key), { name: 'TypeError', message: /"prefix"/ }, key);
  }
  t.equal(opened, 0);
});

t.test('bad values, options and closed handles are refused before anything is opened', async (t) => {
  t.equal(encodeValue(true), '1');
  t.equal(encodeValue(false), '0');
  t.equal(encodeValue(42), '42');
  t.equal(encodeValue(-1), '-1');
  t.equal(encodeValue('32768 60999'), '32768 60999');
  for (const bad of [1.5, NaN, Infinity, null, undefined, [1, 2], {}, 'a\0b', 10n])
    t.throws(() => encodeValue(bad), TypeError, String(bad));
  t.throws(() => encodeValue(2 ** 60), RangeError);
  let opened = 0;
  const api = new SysctlApi(fakeHandle(), () => {
    opened++;
    throw new Error('unreachable');
  });
  await t.rejects(api.set('net.ipv4.ip_forward', 1.5), { name: 'TypeError', message: /"value"/ });
  await t.rejects(api.apply({ 'net.ipv4.ip_forward': 1, 'net.core.somaxconn': 'x\0' }), {
    name: 'TypeError',
    message: /values\["net.core.somaxconn"\]/,
  });
  await t.rejects(api.apply({ 'net.ipv4.ip_forward': 1, 'net/ipv4/ip_forward': 0 }), {
    name: 'TypeError',
    message: /each key once/,
  });
  await t.rejects(api.apply(null as never), { name: 'TypeError', message: /"values"/ });
  await t.rejects(api.get('net.ipv4.ip_forward', { signal: 'x' } as never), TypeError);
  await t.rejects(api.list('net', { onError: 1 } as never), { name: 'TypeError', message: /"onError"/ });
  await t.rejects(api.prepareHost({ skipMissing: 'yes' } as never), { name: 'TypeError', message: /"skipMissing"/ });
  await t.rejects(api.get('net.ipv4.ip_forward', { signal: AbortSignal.abort() }), { name: 'AbortError' });
  const closed = new SysctlApi(fakeHandle({}, true), () => {
    opened++;
    throw new Error('unreachable');
  });
  await t.rejects(closed.get('net.ipv4.ip_forward'), { name: 'HandleClosedError' });
  t.equal(opened, 0);
});

/** A fake /proc/sys in a temp dir; writes truncate (as a proc file effectively does); keys under net/fail write to /dev/full. */
function fakeProc(
  t: TestLike,
  files: Record<string, string>,
): { api: SysctlApi; read(rel: string): string; opened: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'rtnl-sysctl-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const [rel, v] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), v);
  }
  const opened: string[] = [];
  const opener: SysctlOpener = (_target, path, flags) => {
    if (path !== '/proc/sys' && !path.startsWith('/proc/sys/')) throw new Error(`opened outside /proc/sys: ${path}`);
    opened.push(path);
    const real = join(root, path.slice('/proc/sys'.length));
    const writing = (flags & 3) === constants.O_WRONLY;
    if (writing && path.includes('/fail/')) return openSync('/dev/full', flags);
    return openSync(real, writing ? flags | constants.O_TRUNC : flags);
  };
  return { api: new SysctlApi(fakeHandle(), opener), read: (rel) => readFileSync(join(root, rel), 'utf8'), opened };
}

t.test('apply writes what differs, returns the previous values, and apply(previous) undoes it', async (t) => {
  const f = fakeProc(t, { 'net/a': '0\n', 'net/b': '5\n', 'net/c': 'x\n' });
  const prev = await f.api.apply({ 'net.a': true, 'net/b': 5, 'net.c': 'y' });
  t.same(prev, { 'net.a': '0', 'net/b': '5', 'net.c': 'x' }, 'keys as given, values without the newline');
  t.equal(f.read('net/a'), '1\n');
  t.equal(f.read('net/c'), 'y\n');
  t.notOk(f.opened.filter((p) => p === '/proc/sys/net/b').length > 1, 'net/b already 5: read, not written');
  const back = await f.api.apply(prev);
  t.same(back, { 'net.a': '1', 'net/b': '5', 'net.c': 'y' });
  t.same([f.read('net/a'), f.read('net/b'), f.read('net/c')], ['0\n', '5\n', 'x\n']);
});

t.test('apply leaves out a key whose value is undefined, as if it were not given', async (t) => {
  const f = fakeProc(t, { 'net/a': '0\n' });
  // compiles under exactOptionalPropertyTypes: `{ 'net.ipv4.ip_forward': opts.forward }`
  const values: SysctlValues = { 'net.a': 1, 'net.ipv4.ip_forward': undefined, 'net.missing': undefined };
  t.same(await f.api.apply(values), { 'net.a': '0' }, 'only the given key is in the result');
  t.equal(f.read('net/a'), '1\n');
  t.same(
    f.opened.filter((p) => !p.endsWith('/net/a')),
    [],
    'nothing opened for the undefined keys',
  );
});

t.test('a failing write in apply puts back the keys already written and names the failing key', async (t) => {
  const f = fakeProc(t, { 'net/a': '0\n', 'net/b': '0\n', 'net/fail/x': '0\n', 'net/c': '0\n' });
  const err = await f.api.apply({ 'net.a': 1, 'net.b': 2, 'net.fail.x': 3, 'net.c': 4 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof SysctlError && err instanceof PublicSysctlError, 'a SysctlError, exported');
  const e = err as SysctlError;
  t.equal(e.key, 'net.fail.x');
  t.equal(e.code, 'ENOSPC');
  t.equal(e.syscall, 'write');
  t.equal(e.value, '3');
  t.same(e.restored, ['net.b', 'net.a'], 'restored in reverse order');
  t.match(e.message, /net\.fail\.x="3".*restored net\.b, net\.a/);
  t.same(
    [f.read('net/a'), f.read('net/b'), f.read('net/fail/x'), f.read('net/c')],
    ['0\n', '0\n', '0\n', '0\n'],
    'nothing half-applied',
  );
  // A missing key fails the reads, before any write.
  await t.rejects(f.api.apply({ 'net.a': 1, 'net.nope': 1 }), {
    name: 'SysctlError',
    code: 'ENOENT',
    key: 'net.nope',
    message: /net\.nope.*does not exist/,
  });
  t.equal(f.read('net/a'), '0\n');
});

t.test('prepareHost: ENOENT naming the missing bridge key before writing, or skipMissing', async (t) => {
  const f = fakeProc(t, { 'net/ipv4/ip_forward': '0\n' });
  await t.rejects(f.api.prepareHost(), {
    name: 'SysctlError',
    code: 'ENOENT',
    key: 'net.bridge.bridge-nf-call-iptables',
    message: /br_netfilter/,
  });
  t.equal(f.read('net/ipv4/ip_forward'), '0\n', 'nothing written');
  const r = await f.api.prepareHost({ skipMissing: true });
  t.same(r, {
    previous: { 'net.ipv4.ip_forward': '0' },
    changed: ['net.ipv4.ip_forward'],
    missing: [
      'net.bridge.bridge-nf-call-iptables',
      'net.bridge.bridge-nf-call-ip6tables',
      'net.bridge.bridge-nf-call-arptables',
    ],
  });
  t.equal(f.read('net/ipv4/ip_forward'), '1\n');
  await f.api.apply(r.previous);
  t.equal(f.read('net/ipv4/ip_forward'), '0\n', 'apply(previous) undoes it');
  t.same(Object.keys(HOST_PREPARATION).sort(), [
    'net.bridge.bridge-nf-call-arptables',
    'net.bridge.bridge-nf-call-ip6tables',
    'net.bridge.bridge-nf-call-iptables',
    'net.ipv4.ip_forward',
  ]);
});

t.test('list walks below the prefix and keys entries in the dotted form', async (t) => {
  const f = fakeProc(t, {
    'net/ipv4/conf/eth0.10/forwarding': '1\n',
    'net/ipv4/conf/eth0.10/rp_filter': '2\n',
    'net/ipv4/ip_local_port_range': '32768\t60999\n',
    'kernel/x': 'y\n',
  });
  t.same(await f.api.list('net'), {
    'net.ipv4.conf.eth0/10.forwarding': '1',
    'net.ipv4.conf.eth0/10.rp_filter': '2',
    'net.ipv4.ip_local_port_range': '32768\t60999',
  });
  t.same(await f.api.list('net/ipv4/conf/eth0.10'), {
    'net.ipv4.conf.eth0/10.forwarding': '1',
    'net.ipv4.conf.eth0/10.rp_filter': '2',
  });
  t.same(
    await f.api.list('net.ipv4.ip_local_port_range'),
    { 'net.ipv4.ip_local_port_range': '32768\t60999' },
    'a file prefix',
  );
  t.same(Object.keys(await f.api.list()).length, 4, 'no prefix: everything');
  await t.rejects(f.api.list('net.nope'), { code: 'ENOENT', key: 'net.nope' });
  t.equal(await f.api.get('net.ipv4.ip_local_port_range'), '32768\t60999');
  await t.rejects(f.api.get('net.ipv4'), { code: 'EISDIR', message: /sysctl\.list/ });
});

t.test('the common keys are distinct, well-formed keys', async (t) => {
  const keys = knownSysctlKeys();
  t.equal(new Set(keys).size, keys.length);
  for (const k of keys) t.equal(parseKey(k).dotted, k, k);
});
