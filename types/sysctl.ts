// The public data model of sysctls (≈ sysctl(8) over /proc/sys). See ../shared/API.md.
import type { KnownSysctlKey } from '../lib/sysctl-keys.js';

/** What set() and apply() write: booleans become '1'/'0', integers their decimal form. */
export type SysctlValue = string | number | boolean;

/**
 * Keys to values for apply(): the common keys are offered by completion, any other key is allowed.
 * A key whose value is undefined is left out (neither read nor written, nor in the result).
 */
export type SysctlValues = { readonly [K in KnownSysctlKey]?: SysctlValue | undefined } & {
  readonly [key: string]: SysctlValue | undefined;
};

/** An error reading or writing one key (the shape of SysctlError, for callbacks). */
export interface SysctlFailure extends Error {
  /** e.g. 'ENOENT', 'EACCES', 'EINVAL'. */
  code: string;
  /** Positive errno, as NetlinkError has it. */
  errno: number;
  /** 'open', 'read' or 'write'. */
  syscall: string;
  /** The key as given (list(): the dotted key). */
  key: string;
  /** The file under /proc/sys. */
  path: string;
}

/** Options of sysctl.list. */
export interface SysctlListOptions {
  /** Aborts the walk. */
  signal?: AbortSignal | undefined;
  /**
   * Called for every entry below the prefix that could not be read (e.g. net.ipv6.conf.*.stable_secret
   * gives EIO until set); those entries are left out of the result. Without it they are left out
   * and logged through NODE_DEBUG=rtnetlink. Write-only entries (e.g. net.ipv4.route.flush) are
   * always skipped: they have no value.
   */
  onError?: ((key: string, error: SysctlFailure) => void) | undefined;
}

/** Options of sysctl.prepareHost. */
export interface PrepareHostOptions {
  /** Aborts before the next write (what was written is put back). */
  signal?: AbortSignal | undefined;
  /**
   * Where a key does not exist on this kernel (no br_netfilter: /proc/sys/net/bridge is absent),
   * leave it out and list it in `missing` instead of failing. Default false: the call fails with
   * ENOENT naming the key, before anything is written.
   */
  skipMissing?: boolean | undefined;
}

/** What sysctl.prepareHost resolves with. */
export interface PrepareHostResult {
  /** The values before the call of every key it set; `sysctl.apply(result.previous)` undoes it. */
  previous: Record<string, string>;
  /** The keys whose value changed (the others already had the wanted value and were not written). */
  changed: string[];
  /** The keys this kernel does not have (only with skipMissing). */
  missing: string[];
}
