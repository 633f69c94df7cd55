// Compiled output for tests that run what users run (dist/examples/*.js, the packed tarball):
// ensureBuilt() recompiles with `tsc -p tsconfig.build.json` when any source under lib/, types/ or
// examples/ is newer than its .js in dist/ (or has none), so an edited tree never tests stale
// JS. A lock keeps two test files from compiling at once.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const SOURCE_DIRS = ['lib', 'types', 'examples'];
const LOCK = join(tmpdir(), `rtnetlink-build-${Buffer.from(ROOT).toString('hex').slice(-16)}.lock`);

function sources(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Sources whose compiled .js is missing or older than they are. */
export function staleSources(): string[] {
  const stale: string[] = [];
  for (const d of SOURCE_DIRS) {
    for (const src of sources(join(ROOT, d))) {
      const js = join(ROOT, 'dist', relative(ROOT, src)).replace(/\.ts$/, '.js');
      if (!existsSync(js) || statSync(js).mtimeMs < statSync(src).mtimeMs) stale.push(relative(ROOT, src));
    }
  }
  return stale;
}

async function lock(): Promise<() => void> {
  for (let i = 0; ; i++) {
    try {
      const fd = openSync(LOCK, 'wx');
      closeSync(fd);
      return () => rmSync(LOCK, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // a lock older than a build can take was left by a killed run
      const st = statSync(LOCK, { throwIfNoEntry: false });
      if ((st && Date.now() - st.mtimeMs > 180_000) || i > 1800) rmSync(LOCK, { force: true });
      await sleep(100);
    }
  }
}

/** Makes dist/ current with the sources; returns what was stale (empty when nothing was compiled). */
export async function ensureBuilt(): Promise<string[]> {
  if (staleSources().length === 0) return [];
  const release = await lock();
  try {
    const stale = staleSources();
    if (stale.length === 0) return [];
    try {
      execFileSync(
        process.execPath,
        [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
        {
          cwd: ROOT,
          stdio: 'pipe',
          encoding: 'utf8',
        },
      );
    } catch {
      // Type errors still emit JS; `npm test` reports them through its typecheck step.
    }
    const still = staleSources();
    if (still.length) throw new Error(`tsc -p tsconfig.build.json left stale output for ${still.join(', ')}`);
    return stale;
  } finally {
    release();
  }
}
