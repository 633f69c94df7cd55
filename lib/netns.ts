// Named network namespaces as iproute2 keeps them: a file under /run/netns bind-mounted on a
// namespace (≈ `ip netns add / del / list`). The addon creates the namespace on a private
// thread; Node's own threads never change namespace.
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { addon } from './binding.js';
import { describe } from './core/schema.js';

export const NETNS_RUN_DIR = '/run/netns';

/** Checks a namespace name as iproute2 does (no '/', not '.' or '..') and returns its path. */
export function netnsPath(name: string): string {
  if (typeof name !== 'string' || name.length === 0)
    throw new TypeError(`Expected "netns" to be a non-empty name, got ${describe(name)}`);
  if (name.includes('/') || name === '.' || name === '..' || name.includes('\0') || Buffer.byteLength(name) > 255) {
    throw new TypeError(`Expected "netns" to be a namespace name without '/', got ${describe(name)}`);
  }
  return join(NETNS_RUN_DIR, name);
}

/** Re-throws an addon error with what was being done in front, keeping code/errno/syscall. */
export function systemError(what: string, e: unknown): Error {
  if (!(e instanceof Error)) return new Error(`${what}: ${String(e)}`);
  const err = new Error(`${what}: ${e.message}`, { cause: e }) as Error & Record<string, unknown>;
  const src = e as Error & Record<string, unknown>;
  for (const k of ['code', 'errno', 'syscall', 'path']) if (src[k] !== undefined) err[k] = src[k];
  return err;
}

/** Named network namespaces, as `ip netns` keeps them under /run/netns (needs CAP_SYS_ADMIN). */
export const netns = {
  /** `ip netns add NAME`: creates /run/netns/NAME bound to a new network namespace. */
  async add(name: string): Promise<void> {
    const path = netnsPath(name);
    try {
      addon().netnsCreate(path);
    } catch (e) {
      throw systemError(`netns.add ${name}`, e);
    }
  },

  /** `ip netns del NAME`: unmounts and removes /run/netns/NAME (the namespace lives on while used). */
  async del(name: string): Promise<void> {
    const path = netnsPath(name);
    try {
      addon().netnsDelete(path);
    } catch (e) {
      throw systemError(`netns.del ${name}`, e);
    }
  },

  /** (sync) `ip netns list`: the names under /run/netns. */
  list(): string[] {
    try {
      return readdirSync(NETNS_RUN_DIR).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  },

  /** (sync) Whether /run/netns/NAME exists. */
  exists(name: string): boolean {
    return existsSync(netnsPath(name));
  },
};
