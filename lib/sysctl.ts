// sysctls (≈ sysctl(8), procps-ng): /proc/sys read and written per network namespace. A handle
// bound to another namespace opens each /proc/sys/net file inside it through the addon (setns on
// a private thread: the kernel resolves /proc/sys/net by the opening thread's namespace); the fd
// is then read and written from JS, so Node's own threads never switch namespace.
import { close, fstat, open as fsOpen, read, readdir, write, type Stats } from 'node:fs';
import { debuglog, getSystemErrorMap, promisify } from 'node:util';
import { addon, type NetnsTarget } from './binding.js';
import type { Handle } from './handle.js';
import { abortError, HandleClosedError } from './core/errors.js';
import { checkCallOptions, checkObject, describe, type CallOptions } from './core/validate.js';
import {
  dottedKey,
  encodeValue,
  parseKey,
  PROC_SYS,
  sameValue,
  type ParsedKey,
  type SysctlKey,
} from './sysctl-keys.js';
import type {
  PrepareHostOptions,
  PrepareHostResult,
  SysctlFailure,
  SysctlListOptions,
  SysctlValue,
  SysctlValues,
} from '../types/sysctl.js';

export { encodeValue };

const log = debuglog('rtnetlink');
const pOpen = promisify(fsOpen);
const pClose = promisify(close);
const pFstat = promisify(fstat);
const pRead = promisify(read);
const pWrite = promisify(write);
const pReaddir = promisify(readdir);

/** <asm-generic/fcntl.h> O_RDONLY, O_WRONLY, O_NOFOLLOW, __O_PATH (x86, arm, arm64, riscv…). */
const O_RDONLY = 0;
const O_WRONLY = 1;
const O_NOFOLLOW = 0o400000;
const O_PATH = 0o10000000;

/**
 * Opens a file under /proc/sys for a namespace target and returns its descriptor: the single
 * place a sysctl file is opened (tests pass their own to prove refused keys open nothing).
 */
export type SysctlOpener = (target: NetnsTarget, path: string, flags: number) => number | Promise<number>;

/** The default opener: plain fs for the caller's namespace, the addon's openInNetns for another. */
export const openSysctlFile: SysctlOpener = (target, path, flags) => {
  if (target.netnsPath === undefined && target.netnsFd === undefined) return pOpen(path, flags);
  return addon().openInNetns(target, path, flags, 0);
};

/** The seed's host preparation: forward IPv4, and keep netfilter out of bridged traffic. */
export const HOST_PREPARATION = Object.freeze({
  /** Route between the host's links (the bridge and the uplink). */
  'net.ipv4.ip_forward': '1',
  /** Bridged IPv4 does not go through iptables. */
  'net.bridge.bridge-nf-call-iptables': '0',
  /** Bridged IPv6 does not go through ip6tables. */
  'net.bridge.bridge-nf-call-ip6tables': '0',
  /** Bridged ARP does not go through arptables. */
  'net.bridge.bridge-nf-call-arptables': '0',
} as const);

interface SysctlErrorInit {
  /** e.g. 'sysctl.set'. */
  op: string;
  key: ParsedKey;
  syscall: string;
  /** The namespace file that could not be entered, when that (not the key) failed. */
  netns?: string | undefined;
  /** Positive errno. */
  errno: number;
  value?: string | undefined;
  namespaced?: boolean;
  cause?: unknown;
}

function errnoOf(e: unknown): number {
  const n = (e as { errno?: unknown } | null)?.errno;
  if (typeof n === 'number' && n !== 0) return Math.abs(n);
  throw e;
}

/** Why a syscall on a sysctl file failed, in words a person can act on. */
function explain(init: SysctlErrorInit, code: string): string {
  const { syscall, key } = init;
  if (init.netns !== undefined) return `cannot enter the handle's network namespace (${init.netns})`;
  if (code === 'ENOENT' && syscall === 'open') {
    let s = `no such key on this kernel (${key.path} does not exist)`;
    if (key.components[0] === 'net' && key.components[1] === 'bridge')
      s += '; net.bridge.* exists only while the br_netfilter module is loaded (modprobe br_netfilter)';
    else if (init.namespaced) s += '; some net.* keys exist only in the initial network namespace';
    return s;
  }
  if (code === 'EISDIR') return 'the key is a directory: use sysctl.list()';
  if ((code === 'EACCES' || code === 'EPERM') && syscall === 'open') {
    return init.value === undefined ? 'the key is not readable (write-only or restricted)' : 'the key is read-only';
  }
  if (syscall === 'write') return `the kernel refused the value ${JSON.stringify(init.value ?? '')}`;
  return `${syscall} ${key.path} failed`;
}

/**
 * A sysctl could not be read or written: `code` ('ENOENT', 'EACCES', 'EINVAL' …), `errno`
 * (positive, as NetlinkError has it), `syscall`, the `key` as given and its `path`.
 */
export class SysctlError extends Error implements SysctlFailure {
  /** Always 'SysctlError'. */
  override readonly name = 'SysctlError';
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
  readonly key: string;
  readonly path: string;
  /** The value being written, for write errors. */
  readonly value: string | undefined;
  /** The handle's namespace (path, or 'fd N'), when entering it failed rather than the key. */
  readonly netns: string | undefined;
  /** apply(): keys already written when this key failed, put back to their previous values. */
  restored: string[] | undefined;
  /** apply(): keys that could not be put back, each with its own error. */
  restoreErrors: SysctlError[] | undefined;

  constructor(init: SysctlErrorInit) {
    // A file in the middle of a key (net.ipv4.ip_forward.x) is ENOTDIR to the kernel: no such key.
    const errno = init.errno === 20 && init.syscall === 'open' && init.netns === undefined ? 2 : init.errno;
    const [code, text] = getSystemErrorMap().get(-errno) ?? [`E${errno}`, `error ${errno}`];
    const subject =
      init.value === undefined
        ? `${init.op} ${init.key.key}`
        : `${init.op} ${init.key.key}=${JSON.stringify(init.value)}`;
    super(
      `${subject}: ${text} (${code}): ${explain(init, code)}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.code = code;
    this.errno = errno;
    this.syscall = init.syscall;
    this.key = init.key.key;
    this.path = init.key.path;
    this.value = init.value;
    this.netns = init.netns;
    this.restored = undefined;
    this.restoreErrors = undefined;
  }
}

async function readAll(fd: number): Promise<string> {
  const chunks: Buffer[] = [];
  for (;;) {
    const buf = Buffer.allocUnsafe(4096);
    const { bytesRead } = await pRead(fd, buf, 0, buf.length, null);
    if (bytesRead === 0) break;
    chunks.push(buf.subarray(0, bytesRead));
  }
  const s = Buffer.concat(chunks).toString('utf8');
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}

interface Change {
  p: ParsedKey;
  text: string;
}

interface ChangeResult {
  previous: Record<string, string>;
  changed: string[];
  missing: string[];
}

/**
 * sysctl(8) in process, per namespace: `h.sysctl` (that namespace's /proc/sys/net), or the module-level
 * `sysctl`.
 */
export class SysctlApi {
  constructor(
    protected readonly h: Handle,
    private readonly opener: SysctlOpener = openSysctlFile,
  ) {}

  /** Whether this handle works in another namespace than the caller's. */
  private get namespaced(): boolean {
    return this.h.target.netnsPath !== undefined || this.h.target.netnsFd !== undefined;
  }

  /** `sysctl -n KEY`: the value, without its trailing newline. */
  async get(key: SysctlKey, opts?: CallOptions): Promise<string> {
    const signal = checkCallOptions(opts);
    const p = this.key(key, 'key');
    this.ready('sysctl.get', signal);
    return this.readKey('sysctl.get', p);
  }

  /** `sysctl -w KEY=VALUE`: writes the value (booleans as 1/0), always, even if unchanged. */
  async set(key: SysctlKey, value: SysctlValue, opts?: CallOptions): Promise<void> {
    const signal = checkCallOptions(opts);
    const p = this.key(key, 'key');
    const text = encodeValue(value, 'value');
    this.ready('sysctl.set', signal);
    await this.writeKey('sysctl.set', p, text);
  }

  /**
   * `sysctl -w K1=V1 K2=V2 …`, all or nothing: reads every key first, writes the ones whose value
   * differs (in order), and returns every key's previous value, so `apply(previous)` undoes it.
   * If a write fails, the keys already written are put back and the error names the failing key.
   */
  async apply(values: SysctlValues, opts?: CallOptions): Promise<Record<string, string>> {
    const signal = checkCallOptions(opts);
    const changes = this.changes(checkObject(values, 'values'));
    this.ready('sysctl.apply', signal);
    return (await this.change('sysctl.apply', changes, signal, false)).previous;
  }

  /**
   * `sysctl -a` below a prefix (`sysctl net.ipv4.conf`): every readable key under it, keyed in
   * sysctl(8)'s dotted form. Write-only entries are skipped; unreadable ones go to `onError`.
   * Without a prefix: all of /proc/sys (the default handle) or all of net.* (a namespace's handle).
   */
  async list(prefix?: SysctlKey, opts: SysctlListOptions = {}): Promise<Record<string, string>> {
    const o = checkObject(opts, 'options');
    const signal = checkCallOptions({ signal: o['signal'] });
    const onError = o['onError'];
    if (onError !== undefined && typeof onError !== 'function')
      throw new TypeError(`Expected "onError" to be a function, got ${describe(onError)}`);
    const root = prefix === undefined ? (this.namespaced ? parseKey('net') : undefined) : this.key(prefix, 'prefix');
    this.ready('sysctl.list', signal);
    const out: Record<string, string> = {};
    const report = (key: string, err: SysctlError): void => {
      if (onError) (onError as (key: string, error: SysctlFailure) => void)(key, err);
      else log('sysctl.list: skipped %s: %s', key, err.message);
    };
    await this.walk(root ?? { key: '', components: [], path: PROC_SYS, dotted: '' }, out, report, signal, true);
    return out;
  }

  /**
   * The host preparation for bridged containers and VMs, as one call: `sysctl -w
   * net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-{iptables,ip6tables,arptables}=0`.
   * All or nothing like apply(); `apply(result.previous)` undoes it.
   */
  async prepareHost(opts: PrepareHostOptions = {}): Promise<PrepareHostResult> {
    const o = checkObject(opts, 'options');
    const signal = checkCallOptions({ signal: o['signal'] });
    const skipMissing = o['skipMissing'] ?? false;
    if (typeof skipMissing !== 'boolean')
      throw new TypeError(`Expected "skipMissing" to be a boolean, got ${describe(skipMissing)}`);
    const changes = Object.entries(HOST_PREPARATION).map(([k, text]) => ({ p: parseKey(k), text }));
    this.ready('sysctl.prepareHost', signal);
    return this.change('sysctl.prepareHost', changes, signal, skipMissing);
  }

  /** Parses a key and checks it belongs to this handle's namespace. Opens nothing. */
  private key(key: unknown, field: string): ParsedKey {
    const p = parseKey(key, field);
    if (this.namespaced && p.components[0] !== 'net') {
      throw new TypeError(
        `Expected "${field}" to be a net.* key on a handle bound to another network namespace, got ${describe(key)}: ` +
          `/proc/sys/${p.components[0] ?? ''} is not per network namespace (use the default handle's sysctl for global keys)`,
      );
    }
    return p;
  }

  private changes(values: Record<string, unknown>): Change[] {
    const seen = new Map<string, string>();
    // a key given as undefined is one left out (SysctlValues' fields take undefined)
    const given = Object.keys(values).filter((k) => values[k] !== undefined);
    return given.map((k) => {
      const p = this.key(k, 'key');
      const other = seen.get(p.path);
      if (other !== undefined)
        throw new TypeError(
          `Expected "values" to name each key once, got ${describe(other)} and ${describe(k)} (both ${p.path})`,
        );
      seen.set(p.path, k);
      return { p, text: encodeValue(values[k], `values[${JSON.stringify(k)}]`) };
    });
  }

  private ready(op: string, signal: AbortSignal | undefined): void {
    if (this.h.closed) throw new HandleClosedError(op);
    if (signal?.aborted) throw abortError(signal);
  }

  private error(op: string, key: ParsedKey, syscall: string, e: unknown, value?: string): SysctlError {
    // The addon names the file it failed on: the namespace's own (netnsPath) or setns means the
    // namespace could not be entered, not that the key is missing.
    const c = (e ?? {}) as { path?: unknown; syscall?: unknown };
    const entering = this.namespaced && (c.syscall === 'setns' || (typeof c.path === 'string' && c.path !== key.path));
    const netns = entering ? (this.h.target.netnsPath ?? `fd ${String(this.h.target.netnsFd)}`) : undefined;
    const sc = netns !== undefined && typeof c.syscall === 'string' ? c.syscall : syscall;
    return new SysctlError({
      op,
      key,
      syscall: sc,
      errno: errnoOf(e),
      value,
      namespaced: this.namespaced,
      netns,
      cause: e,
    });
  }

  private async openKey(op: string, p: ParsedKey, flags: number, value?: string): Promise<number> {
    try {
      return await this.opener(this.h.target, p.path, flags | O_NOFOLLOW);
    } catch (e) {
      throw this.error(op, p, 'open', e, value);
    }
  }

  private async readKey(op: string, p: ParsedKey): Promise<string> {
    const fd = await this.openKey(op, p, O_RDONLY);
    try {
      return await readAll(fd);
    } catch (e) {
      throw this.error(op, p, 'read', e);
    } finally {
      await pClose(fd);
    }
  }

  private async writeKey(op: string, p: ParsedKey, text: string): Promise<void> {
    const fd = await this.openKey(op, p, O_WRONLY, text);
    try {
      // One write(2) from offset 0: proc handlers parse a whole value per write.
      const buf = Buffer.from(text.endsWith('\n') ? text : `${text}\n`);
      const { bytesWritten } = await pWrite(fd, buf, 0, buf.length, null);
      if (bytesWritten !== buf.length) throw Object.assign(new Error('short write'), { errno: 5 });
    } catch (e) {
      throw this.error(op, p, 'write', e, text);
    } finally {
      await pClose(fd);
    }
  }

  /** Reads every key, then writes those that differ; on a failed write puts back what was written. */
  private async change(
    op: string,
    changes: Change[],
    signal: AbortSignal | undefined,
    skipMissing: boolean,
  ): Promise<ChangeResult> {
    const result: ChangeResult = { previous: {}, changed: [], missing: [] };
    const todo: (Change & { prev: string })[] = [];
    for (const c of changes) {
      try {
        const prev = await this.readKey(op, c.p);
        result.previous[c.p.key] = prev;
        if (!sameValue(prev, c.text)) todo.push({ ...c, prev });
      } catch (e) {
        if (!(skipMissing && e instanceof SysctlError && e.code === 'ENOENT')) throw e;
        result.missing.push(c.p.key);
      }
    }
    const written: (Change & { prev: string })[] = [];
    for (const c of todo) {
      try {
        if (signal?.aborted) throw abortError(signal);
        await this.writeKey(op, c.p, c.text);
      } catch (e) {
        await this.rollback(op, written, e);
        throw e;
      }
      written.push(c);
      result.changed.push(c.p.key);
    }
    return result;
  }

  private async rollback(op: string, written: (Change & { prev: string })[], cause: unknown): Promise<void> {
    const restored: string[] = [];
    const failed: SysctlError[] = [];
    for (const c of [...written].reverse()) {
      try {
        await this.writeKey(op, c.p, c.prev);
        restored.push(c.p.key);
      } catch (e) {
        failed.push(e as SysctlError);
      }
    }
    if (!(cause instanceof Error)) return;
    let note = written.length === 0 ? '; nothing had been written' : '';
    if (restored.length) note += `; restored ${restored.join(', ')} to their previous values`;
    if (failed.length) note += `; could NOT restore ${failed.map((f) => f.key).join(', ')}`;
    cause.message += note;
    if (cause instanceof SysctlError) {
      cause.restored = restored;
      if (failed.length) cause.restoreErrors = failed;
    }
  }

  /** One entry of list(): a directory is read and descended, a file read; errors below the top are reported. */
  private async walk(
    p: ParsedKey,
    out: Record<string, string>,
    report: (key: string, err: SysctlError) => void,
    signal: AbortSignal | undefined,
    top: boolean,
  ): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    const op = 'sysctl.list';
    let fd: number;
    try {
      fd = await this.openKey(op, p, O_RDONLY);
    } catch (e) {
      if (top || !(e instanceof SysctlError) || e.syscall !== 'open' || e.netns !== undefined) throw e;
      if (!(await this.writeOnly(p.path))) report(p.dotted, e);
      return;
    }
    let names: string[];
    try {
      let st: Stats;
      try {
        st = await pFstat(fd);
      } catch (e) {
        throw this.error(op, p, 'fstat', e);
      }
      if (!st.isDirectory()) {
        try {
          out[p.dotted] = await readAll(fd);
        } catch (e) {
          throw this.error(op, p, 'read', e);
        }
        return;
      }
      try {
        // The fd was opened in the handle's namespace; /proc/self/fd/N lists that very directory.
        names = (await pReaddir(`/proc/self/fd/${fd}`)).sort();
      } catch (e) {
        throw this.error(op, p, 'readdir', e);
      }
    } catch (e) {
      if (top || !(e instanceof SysctlError)) throw e;
      report(p.dotted, e);
      return;
    } finally {
      await pClose(fd);
    }
    for (const name of names) {
      const components = [...p.components, name];
      const key = dottedKey(components);
      await this.walk(
        { key, components, path: `${PROC_SYS}/${components.join('/')}`, dotted: key },
        out,
        report,
        signal,
        false,
      );
    }
  }

  /** Whether a file has no read permission bits at all (e.g. net.ipv4.route.flush, mode 0200). */
  private async writeOnly(path: string): Promise<boolean> {
    let fd: number;
    try {
      fd = await this.opener(this.h.target, path, O_PATH | O_NOFOLLOW);
    } catch {
      return false;
    }
    try {
      const st = await pFstat(fd);
      return st.isFile() && (st.mode & 0o444) === 0;
    } catch {
      return false;
    } finally {
      await pClose(fd);
    }
  }
}
