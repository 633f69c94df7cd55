// Package hygiene, checked the way a consumer meets the package: what `npm pack` ships (only the
// compiled library, its types, the addon's sources and build script, README and CHANGELOG); the
// tarball installed offline into an empty project (the addon builds there), where an ESM import
// and a CommonJS require each list links and exit by themselves; types resolving for ESM, for
// CommonJS under nodenext and under the classic node10 resolution (tsc), and by
// @arethetypeswrong/cli. Needs no root: listing links is unprivileged.
import t from 'tap';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT, ensureBuilt } from '../helpers/build.js';

t.setTimeout(300_000);

/** The environment without the outer `npm test`'s npm_* settings, which would steer the inner npm. */
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !k.startsWith('npm_') || k === 'npm_config_cache' || k === 'npm_config_userconfig',
  ),
);

function run(
  cmd: string,
  args: string[],
  opts: SpawnSyncOptions = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 180_000, maxBuffer: 64 << 20, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function runOk(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function walk(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, ext));
    else if (ext.test(e.name)) out.push(relative(ROOT, p));
  }
  return out;
}

const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^CHANGELOG\.md$/,
  /^LICENSE$/,
  /^binding\.gyp$/,
  /^scripts\/build-native\.mjs$/,
  /^native\/[\w-]+\.(cc|h)$/,
  /^dist\/(lib|types)\/[\w/-]+\.(js|d\.ts)$/,
];

const tmp = mkdtempSync(join(tmpdir(), 'rtnl-pack-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
const npm = 'npm';

await ensureBuilt();

t.test('npm pack ships the library, its types and the addon sources, nothing else', async (t) => {
  const out = runOk(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
  const [info] = JSON.parse(out) as [{ files: { path: string }[]; size: number; entryCount: number }];
  const files = info.files.map((f) => f.path).sort();
  t.comment(`${info.entryCount} files, ${(info.size / 1024).toFixed(0)} KiB packed`);
  t.same(
    files.filter((f) => !ALLOWED.some((re) => re.test(f))),
    [],
    'no file outside the allowed set (tests, fixtures, bench, examples, maps, build/)',
  );
  const need = [
    'package.json',
    'README.md',
    'CHANGELOG.md',
    'binding.gyp',
    'scripts/build-native.mjs',
    ...walk(join(ROOT, 'native'), /\.(cc|h)$/),
  ];
  for (const src of [...walk(join(ROOT, 'lib'), /\.ts$/), ...walk(join(ROOT, 'types'), /\.ts$/)]) {
    need.push(`dist/${src.replace(/\.ts$/, '.js')}`, `dist/${src.replace(/\.ts$/, '.d.ts')}`);
  }
  t.same(
    need.filter((f) => !files.includes(f)),
    [],
    'every library module, its declarations, every addon source',
  );
  // A compiled file whose source is gone (a renamed module) would ship as dead code.
  const orphans = files.filter(
    (f) => f.startsWith('dist/') && !existsSync(join(ROOT, f.slice(5).replace(/(\.d)?\.js$|\.d\.ts$/, '.ts'))),
  );
  t.same(orphans, [], 'no compiled file without a source (remove dist/ and rebuild if this fails)');
});

let tgz = '';
t.test('npm pack', async (t) => {
  const out = runOk(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: ROOT });
  const [info] = JSON.parse(out) as [{ filename: string }];
  tgz = join(tmp, info.filename);
  t.ok(existsSync(tgz), info.filename);
});

t.test('@arethetypeswrong/cli: types resolve for every entry point', async (t) => {
  // Strict profile, except the rule that a require() resolving to ESM is an error: Node ≥ 20.19
  // require()s ESM (engines says so; the CommonJS run below proves it).
  const r = run(
    process.execPath,
    [
      join(ROOT, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'),
      tgz,
      '--ignore-rules',
      'cjs-resolves-to-esm',
      '--format',
      'table-flipped',
      '--no-color',
      '--no-emoji',
    ],
    { cwd: ROOT },
  );
  if (r.status === 0) t.pass('no problems found');
  else t.fail(`attw exited ${r.status}`, { output: r.stdout + r.stderr });
});

const app = join(tmp, 'app');
t.test('the tarball installs offline into an empty project and builds the addon', async (t) => {
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  // The dependencies come from npm's cache, as they would from the registry. A lockfile install of
  // this repository caches their tarballs but not the registry's metadata, which an install without
  // a lockfile resolves from: fetch it now if the registry answers (the cache may already hold it),
  // so that what the offline install below proves is that nothing else is downloaded.
  const deps = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  ).dependencies;
  for (const [name, range] of Object.entries(deps ?? {})) run(npm, ['cache', 'add', `${name}@${range}`]);
  runOk(npm, ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', tgz], { cwd: app });
  t.ok(
    existsSync(join(app, 'node_modules', 'rtnetlink', 'build', 'Release', 'rtnetlink.node')),
    'addon built at install',
  );
  t.notOk(existsSync(join(app, 'node_modules', 'rtnetlink', 'test')), 'no tests installed');
});

t.test('an ESM import and a CommonJS require both list links and exit by themselves', async (t) => {
  const expected = (JSON.parse(runOk('ip', ['-j', 'link', 'show'])) as { ifname: string }[])
    .map((l) => l.ifname)
    .sort();
  const esm = "import { link } from 'rtnetlink'; console.log(JSON.stringify((await link.list()).map((l) => l.name)));";
  const cjs =
    "const { link } = require('rtnetlink'); link.list().then((ls) => console.log(JSON.stringify(ls.map((l) => l.name))));";
  for (const [kind, args] of [
    ['ESM', ['--input-type=module', '-e', esm]],
    ['CommonJS', ['-e', cjs]],
  ] as const) {
    const r = run(process.execPath, [...args], { cwd: app, timeout: 20_000 });
    t.equal(r.status, 0, `${kind}: exits 0 by itself (no timeout, no open handle)`);
    t.equal(r.stderr, '', `${kind}: nothing on stderr (no warning)`);
    t.same((JSON.parse(r.stdout) as string[]).sort(), expected, `${kind}: the links ip link show lists`);
  }
});

t.test('tsc resolves the types for ESM and CommonJS consumers', async (t) => {
  const typeRoots = [join(ROOT, 'node_modules', '@types')];
  // Each file uses real types: a wrong spec must be a compile error (@ts-expect-error fails if
  // the import were untyped), and a Link's fields must be typed.
  const body = (ns: string): string => `
const spec: ${ns}RouteSpec = { dst: '10.0.0.0/24', dev: 'lo', metric: 5 };
// @ts-expect-error a vlan needs its parent link and its id
const bad: ${ns}LinkSpec = { type: 'vlan', name: 'v0' };
export async function f(): Promise<number> {
  const l: ${ns}Link = await link.get('lo');
  return l.index + (l.mtu ?? 0) + String(spec.dst).length + String(bad).length + NlWriter.length;
}
`;
  writeFileSync(
    join(app, 'esm.mts'),
    `import { link, type RouteSpec, type LinkSpec, type Link } from 'rtnetlink';\nimport { NlWriter } from 'rtnetlink/codec';\n${body('')}`,
  );
  writeFileSync(
    join(app, 'cjs.cts'),
    `import rtnl = require('rtnetlink');\nimport codec = require('rtnetlink/codec');\nconst { link } = rtnl; const { NlWriter } = codec;\n${body('rtnl.')}`,
  );
  writeFileSync(
    join(app, 'classic.ts'),
    `import rtnl = require('rtnetlink');\nimport codec = require('rtnetlink/codec');\nconst { link } = rtnl; const { NlWriter } = codec;\n${body('rtnl.')}`,
  );
  const common = { target: 'es2022', strict: true, noEmit: true, types: ['node'], typeRoots };
  const configs = {
    'nodenext (ESM .mts, CommonJS .cts)': {
      compilerOptions: { ...common, module: 'nodenext' },
      files: ['esm.mts', 'cjs.cts'],
    },
    'node10 (module commonjs)': {
      compilerOptions: { ...common, module: 'commonjs', moduleResolution: 'node10' },
      files: ['classic.ts'],
    },
  };
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [name, config] of Object.entries(configs)) {
    const file = join(app, `tsconfig.${name.split(' ')[0]}.json`);
    writeFileSync(file, JSON.stringify(config));
    const r = run(process.execPath, [tsc, '-p', file], { cwd: app });
    if (r.status === 0) t.pass(`${name}: types resolve`);
    else t.fail(`${name}: tsc exited ${r.status}`, { output: r.stdout + r.stderr });
  }
});
