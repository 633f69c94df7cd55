// The tools of the route-churn benchmark, each a row of the table: how to find or build it (a
// reason to skip it when it is not there), and how to run one add/dump/replace/delete round of N
// routes in the bench namespace. Every tool runs in a process of its own so its peak RSS is its own.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild, type ChildOutcome } from './child.js';
import { ipBatch, ipFork } from './peers/iproute2.js';
import type { DriverResult } from './peers/common.js';
import type { BenchNs } from './setup.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root: $RTNL_BENCH_ROOT, else the nearest directory above holding rtnetlink's package.json. */
export const ROOT = ((): string => {
  // A run from a snapshot of the build (bench/snapshot.ts) still reads and writes the repository.
  const given = process.env['RTNL_BENCH_ROOT'];
  if (given) return given;
  for (let d = here; ; d = dirname(d)) {
    const pj = join(d, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'rtnetlink') return d;
    if (dirname(d) === d) throw new Error(`bench: no rtnetlink package.json above ${here}`);
  }
})();
export const BUILD_DIR = join(ROOT, 'bench', '.build');
/**
 * Node options for the rtnetlink drivers' processes, from $RTNL_BENCH_NODE_FLAGS (an experiment
 * knob, e.g. `--v8-pool-size=0`: bench/README.md; the run records it and the table says so).
 */
export const DRIVER_NODE_FLAGS = (process.env['RTNL_BENCH_NODE_FLAGS'] ?? '').split(/\s+/).filter((f) => f !== '');
export const PEERS_DIR = join(ROOT, 'bench', '.peers');

export interface RunContext {
  env: BenchNs;
  n: number;
  /** Called with each phase name a tool reports (a phase name, or a driver's own label). */
  onPhase: (p: string) => void;
  /** Write a V8 CPU profile of the run here (rtnetlink tools only). */
  profile?: { dir: string; name: string };
  /** Routes per phase for the fork-per-route tool. */
  forkSample: number;
}

export interface ToolOutcome {
  result?: DriverResult;
  maxRssKb?: number;
  error?: string;
  skip?: string;
  /** Routes actually sent per phase when fewer than N (extrapolated rates). */
  sample?: number;
}

export interface Tool {
  id: string;
  label: string;
  /** The practical limit the other rows are divided by. */
  limit?: boolean;
  /** Run only at the smallest N (one fork per route is too slow for more). */
  smallestOnly?: boolean;
  /** Run only when asked for by name (--tools) or with --diagnostics. */
  diagnostic?: boolean;
  /** Not run above this N unless --all-sizes (too slow for the default run's time budget)… */
  maxN?: number;
  /** …or above this one with --full. */
  maxNFull?: number;
  /** The tool's version, once prepared. */
  version?: string;
  /** Finds or builds the tool; returns why it is skipped, or undefined when it is ready. */
  prepare(): Promise<string | undefined>;
  run(ctx: RunContext): Promise<ToolOutcome>;
}

function driverArgs(ctx: RunContext, mode = ''): string[] {
  const e = ctx.env;
  return [
    '--ns',
    e.name,
    '--n',
    String(ctx.n),
    '--dev',
    e.dev,
    '--ifindex',
    String(e.ifindex),
    '--gw',
    e.gw,
    '--gw2',
    e.gw2,
    ...(mode ? ['--mode', mode] : []),
  ];
}

function timeoutFor(n: number): number {
  return 120_000 + n * 3; // 3 ms per route over four phases: far above the slowest tool measured
}

function outcome(o: ChildOutcome): ToolOutcome {
  const r: ToolOutcome = {};
  if (o.result) r.result = o.result;
  if (o.maxRssKb !== undefined) r.maxRssKb = o.maxRssKb;
  if (o.error) r.error = o.error;
  if (o.skip !== undefined) r.skip = o.skip;
  return r;
}

/** The output of a command, or undefined when it cannot run. */
function probe(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return undefined;
  }
}

/** The version of an installed Debian package ('' or undefined when it is not one). */
function debianVersion(pkg: string): string | undefined {
  return probe('dpkg-query', ['-W', '-f', '${Version}', pkg]);
}

// ---- the C reference ----

const C_SRC = join(ROOT, 'bench', 'ref', 'route-ref.c');
const C_BIN = join(BUILD_DIR, 'route-ref');
let cBuilt: string | undefined | null = null; // null: not tried; string: why it failed

function buildC(): string | undefined {
  if (cBuilt !== null) return cBuilt;
  const cc = process.env['CC'] ?? 'cc';
  try {
    mkdirSync(BUILD_DIR, { recursive: true });
    if (!existsSync(C_BIN) || statSync(C_BIN).mtimeMs < statSync(C_SRC).mtimeMs) {
      execFileSync(cc, ['-O2', '-Wall', '-Wextra', '-o', C_BIN, C_SRC], { stdio: ['ignore', 'pipe', 'pipe'] });
    }
    cBuilt = undefined;
  } catch (e) {
    const err = e as Error & { stderr?: Buffer };
    cBuilt = `the C reference did not build with ${cc}: ${(err.stderr?.toString() || err.message).trim().split('\n')[0] ?? ''}`;
  }
  return cBuilt;
}

function ccVersion(): string | undefined {
  return probe(process.env['CC'] ?? 'cc', ['--version'])?.split('\n')[0];
}

function cTool(id: string, label: string, batch: number, limit: boolean, ack: 'each' | 'last' = 'each'): Tool {
  const t: Tool = {
    id,
    label,
    ...(limit ? { limit } : {}),
    async prepare() {
      const why = buildC();
      const v = ccVersion();
      if (v) t.version = v;
      return why;
    },
    async run(ctx) {
      const e = ctx.env;
      const args = [
        '--netns',
        e.path,
        '--n',
        String(ctx.n),
        '--ifindex',
        String(e.ifindex),
        '--gw',
        e.gw,
        '--gw2',
        e.gw2,
        '--batch',
        String(batch),
        '--ack',
        ack,
      ];
      return outcome(await runChild({ cmd: C_BIN, args, onPhase: ctx.onPhase, timeoutMs: timeoutFor(ctx.n) }));
    },
  };
  return t;
}

// ---- this package ----

function rtnetlinkTool(id: string, label: string, mode: 'bulk' | 'bulk-warm' | 'each' | 'each-ifindex' | 'raw'): Tool {
  const script = join(here, 'peers', mode === 'raw' ? 'engine-probe.js' : 'rtnetlink.js');
  return {
    id,
    label,
    ...(mode === 'raw' || mode === 'bulk-warm' ? { diagnostic: true } : {}),
    async prepare() {
      if (!existsSync(script))
        return `${script} is missing: run the bench through \`npm run bench\` (it compiles first)`;
      return undefined;
    },
    async run(ctx) {
      const prof = ctx.profile
        ? ['--cpu-prof', '--cpu-prof-dir', ctx.profile.dir, '--cpu-prof-name', ctx.profile.name]
        : [];
      const o = await runChild({
        cmd: process.execPath,
        args: [...DRIVER_NODE_FLAGS, ...prof, script, ...driverArgs(ctx, mode)],
        onPhase: ctx.onPhase,
        timeoutMs: timeoutFor(ctx.n),
      });
      return outcome(o);
    },
  };
}

// ---- iproute2 ----

function ipVersion(): string | undefined {
  return probe('ip', ['-V']);
}

const ipBatchTool: Tool = {
  id: 'ip-batch',
  label: '`ip -batch`',
  async prepare() {
    const v = ipVersion();
    if (!v) return '`ip` (iproute2) is not installed';
    this.version = v;
    return undefined;
  },
  async run(ctx) {
    const o = await ipBatch(ctx.env, ctx.n, ctx.onPhase);
    return { ...o };
  },
};

const ipForkTool: Tool = {
  id: 'ip-fork',
  label: '`ip route add` forked per route',
  smallestOnly: true,
  async prepare() {
    const v = ipVersion();
    if (!v) return '`ip` (iproute2) is not installed';
    this.version = v;
    return undefined;
  },
  async run(ctx) {
    const sample = Math.min(ctx.forkSample, ctx.n);
    const o = await ipFork(ctx.env, sample, ctx.onPhase);
    return { ...o, sample };
  },
};

// ---- pyroute2 ----

let python: { exe: string; version: string } | string | undefined;

function findPython(): { exe: string; version: string } | string {
  if (python) return python;
  const tried: string[] = [];
  for (const exe of ['/usr/bin/python3', 'python3']) {
    const version = probe(exe, ['-c', 'import pyroute2; print(pyroute2.__version__)']);
    if (version === undefined) {
      tried.push(exe);
      continue;
    }
    // Debian's package reports 'unknown': its own version says which it is.
    const deb = version === 'unknown' ? debianVersion('python3-pyroute2') : undefined;
    return (python = { exe, version: deb ? `${deb} (Debian)` : version });
  }
  return (python = `pyroute2 is not importable from ${tried.join(' or ')} (Debian: apt-get install -y python3-pyroute2)`);
}

function pyroute2Tool(id: string, label: string, mode: 'batch' | 'loop'): Tool {
  const script = join(ROOT, 'bench', 'peers', 'pyroute2_churn.py');
  const t: Tool = {
    id,
    label,
    maxN: 10_000,
    maxNFull: 100_000,
    async prepare() {
      const p = findPython();
      if (typeof p === 'string') return p;
      t.version = `pyroute2 ${p.version}`;
      return undefined;
    },
    async run(ctx) {
      const p = findPython();
      if (typeof p === 'string') return { skip: p };
      const o = await runChild({
        cmd: p.exe,
        args: [script, ...driverArgs(ctx, mode)],
        netnsExec: ctx.env.name,
        onPhase: ctx.onPhase,
        timeoutMs: timeoutFor(ctx.n),
      });
      return outcome(o);
    },
  };
  return t;
}

// ---- the npm `netlink` package ----

const NPM_NETLINK = join(PEERS_DIR, 'node_modules', 'netlink');

const npmNetlinkTool: Tool = {
  id: 'npm-netlink',
  label: 'npm `netlink` package, 32 in flight',
  async prepare() {
    const pj = join(NPM_NETLINK, 'package.json');
    if (!existsSync(pj)) return `not installed in bench/.peers (see bench/README.md: npm i --no-save netlink there)`;
    try {
      createRequire(import.meta.url)(NPM_NETLINK);
    } catch (e) {
      return `installed but does not load (native addon not built?): ${(e as Error).message.split('\n')[0] ?? ''}`;
    }
    this.version = `netlink ${(JSON.parse(readFileSync(pj, 'utf8')) as { version: string }).version}`;
    return undefined;
  },
  async run(ctx) {
    const script = join(here, 'peers', 'npm-netlink.js');
    const o = await runChild({
      cmd: process.execPath,
      args: [script, ...driverArgs(ctx), '--module', NPM_NETLINK],
      netnsExec: ctx.env.name,
      onPhase: ctx.onPhase,
      timeoutMs: timeoutFor(ctx.n),
    });
    return outcome(o);
  },
};

// ---- Go's vishvananda/netlink ----

const GO_SRC = join(ROOT, 'bench', 'peers', 'go-netlink');
const GO_BIN = join(BUILD_DIR, 'go-netlink');
const GO_PACKAGE = 'golang-github-vishvananda-netlink-dev';
const GO_INSTALL = `Debian: apt-get install -y golang-go ${GO_PACKAGE}`;

/**
 * Builds the Go driver with `go` in GOPATH mode, offline: the library comes from $GOPATH, then
 * Debian's /usr/share/gocode. Returns why it cannot be built, or undefined.
 */
function buildGo(go: string): string | undefined {
  const gopath = [process.env['GOPATH'], '/usr/share/gocode'].filter((p): p is string => !!p).join(':');
  const src = join(GO_SRC, 'main.go');
  if (existsSync(GO_BIN) && statSync(GO_BIN).mtimeMs >= statSync(src).mtimeMs) return undefined;
  try {
    mkdirSync(BUILD_DIR, { recursive: true });
    execFileSync(go, ['build', '-o', GO_BIN, '.'], {
      cwd: GO_SRC,
      env: { ...process.env, GOPATH: gopath, GO111MODULE: 'off', GOCACHE: join(BUILD_DIR, 'go-cache'), GOFLAGS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return undefined;
  } catch (e) {
    const err = (e as Error & { stderr?: Buffer }).stderr?.toString() ?? (e as Error).message;
    if (/cannot find package "github\.com\/vishvananda/.test(err))
      return `github.com/vishvananda/netlink is not in GOPATH ${gopath} (${GO_INSTALL})`;
    return `the Go driver did not build: ${err.trim().split('\n')[0] ?? ''}`;
  }
}

const goNetlinkTool: Tool = {
  id: 'go-netlink',
  label: 'Go vishvananda/netlink, one Handle',
  async prepare() {
    const go = process.env['GO'] ?? 'go';
    const goVersion = probe(go, ['version']);
    if (goVersion === undefined) return `Go is not installed (${GO_INSTALL})`;
    const why = buildGo(go);
    if (why) return why;
    const lib = debianVersion(GO_PACKAGE);
    this.version = `vishvananda/netlink ${lib || '(from GOPATH)'}, ${goVersion.replace(/^go version /, '')}`;
    return undefined;
  },
  async run(ctx) {
    const o = await runChild({
      cmd: GO_BIN,
      args: driverArgs(ctx),
      netnsExec: ctx.env.name,
      onPhase: ctx.onPhase,
      timeoutMs: timeoutFor(ctx.n),
    });
    return outcome(o);
  },
};

/** Every tool, in table order; the first is the limit. */
export function allTools(): Tool[] {
  return [
    cTool('c-batch', 'C, 5,000 messages per sendmsg, ACK on each (the limit)', 5000, true),
    cTool('c-single', 'C, one message per sendmsg, wait for its ACK', 1, false),
    cTool('c-ack-last', 'C, 1,024 messages per sendmsg, ACK on the last of each (as rtnetlink)', 1024, false, 'last'),
    rtnetlinkTool('rtnetlink-bulk', 'rtnetlink addMany / replaceMany / delMany, dump()', 'bulk'),
    rtnetlinkTool('rtnetlink-each', "rtnetlink route.add / replace / del × N via Promise.all, dev: 'veth0'", 'each'),
    rtnetlinkTool(
      'rtnetlink-each-ifindex',
      'rtnetlink route.add / replace / del × N via Promise.all, dev: its index',
      'each-ifindex',
    ),
    rtnetlinkTool(
      'rtnetlink-bulk-warm',
      'rtnetlink addMany / replaceMany / delMany, dump(), after 3 unmeasured rounds (diagnostic)',
      'bulk-warm',
    ),
    rtnetlinkTool('engine-raw', 'rtnetlink Engine.post, hand-encoded messages (diagnostic)', 'raw'),
    goNetlinkTool,
    ipBatchTool,
    ipForkTool,
    npmNetlinkTool,
    pyroute2Tool('pyroute2-batch', 'pyroute2 IPBatch (1,000 per sendto)', 'batch'),
    pyroute2Tool('pyroute2-loop', 'pyroute2 IPRoute loop', 'loop'),
  ];
}
