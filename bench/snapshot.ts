// A bench run measures one version of the code: before anything runs, the compiled package
// (dist/lib, dist/types, dist/bench), package.json and the addon are copied to a private directory
// and the harness re-runs itself from there, so a rebuild of dist/ or of the addon in the working
// tree during a long run (other people work in it) cannot mix versions between tools or runs.
// The copy is removed when the run ends.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FLAG = 'RTNL_BENCH_SNAPSHOT';

/** True inside the snapshot (the re-run harness). */
export function inSnapshot(): boolean {
  return process.env[FLAG] === '1';
}

/**
 * Copies the build and re-runs `script` (its path relative to dist/) from the copy with the same
 * arguments; resolves with its exit code. `root` is the repository: the re-run harness still reads
 * bench/ sources and writes bench/results there (RTNL_BENCH_ROOT).
 */
export async function runFromSnapshot(root: string, script: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'rtnl-bench-snap-'));
  try {
    for (const d of ['lib', 'types', 'bench']) {
      const from = join(root, 'dist', d);
      if (existsSync(from)) cpSync(from, join(dir, 'dist', d), { recursive: true });
    }
    cpSync(join(root, 'package.json'), join(dir, 'package.json'));
    const env: NodeJS.ProcessEnv = { ...process.env, [FLAG]: '1', RTNL_BENCH_ROOT: root };
    const addon = process.env['RTNETLINK_ADDON'] ?? join(root, 'build', 'Release', 'rtnetlink.node');
    if (existsSync(addon)) {
      mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
      const copy = join(dir, 'build', 'Release', 'rtnetlink.node');
      cpSync(addon, copy);
      env['RTNETLINK_ADDON'] = copy;
    }
    const child = spawn(process.execPath, [...process.execArgv, join(dir, 'dist', script), ...process.argv.slice(2)], {
      stdio: 'inherit',
      env,
    });
    // Ctrl-C reaches the child too (same process group): it cleans up and exits; we wait for it.
    const forward = (sig: NodeJS.Signals): void => void child.kill(sig);
    process.on('SIGINT', () => undefined);
    process.on('SIGTERM', forward);
    process.on('SIGHUP', forward);
    return await new Promise<number>((resolve) => {
      child.on('error', (e) => {
        process.stderr.write(`bench: ${e.message}\n`);
        resolve(1);
      });
      child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
