// tun/tap devices through /dev/net/tun (<linux/if_tun.h>: TUNSETIFF, TUNSETOWNER, TUNSETGROUP,
// TUNSETPERSIST), as `ip tuntap add` makes them: rtnetlink cannot create them. And the character
// devices of macvtap/ipvtap links (/dev/tap<ifindex>), which a VM opens instead of the link.
import { promises as fsp } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { addon, type NetnsTarget, type TunOptions as NativeTunOptions } from './binding.js';
import { NetlinkError } from './core/errors.js';
import { systemError } from './netns.js';
import { checkBool, checkInt, describe } from './core/validate.js';

/** What `ip tuntap add NAME mode tun|tap …` takes. */
export interface TunRequest {
  name: string;
  tap: boolean;
  owner?: unknown;
  group?: unknown;
  multiQueue?: unknown;
  vnetHdr?: unknown;
  pi?: unknown;
  persist?: unknown;
}

/** Checks a tun/tap request; a TypeError/RangeError names the field. */
export function checkTun(req: TunRequest): NativeTunOptions {
  const opt = (v: unknown, field: string): boolean => (v === undefined ? false : checkBool(v, field));
  if (req.persist !== undefined && req.persist !== true) {
    throw new TypeError(
      `Expected "persist" to be true or omitted (a device made here outlives its descriptor), got ${describe(req.persist)}`,
    );
  }
  const out: NativeTunOptions = {
    name: req.name,
    tap: req.tap,
    multiQueue: opt(req.multiQueue, 'multiQueue'),
    vnetHdr: opt(req.vnetHdr, 'vnetHdr'),
    noPi: !opt(req.pi, 'pi'),
    persist: true,
  };
  if (req.owner !== undefined) out.owner = checkInt(req.owner, 'owner', 0, 0xfffffffe);
  if (req.group !== undefined) out.group = checkInt(req.group, 'group', 0, 0xfffffffe);
  return out;
}

/**
 * `ip tuntap add`: creates a persistent tun/tap device inside the target namespace. The addon asks
 * for IFF_TUN_EXCL, so a name already taken (by any link, or by a concurrent add) is refused with
 * EEXIST, as RTM_NEWLINK with NLM_F_EXCL refuses it, instead of attaching to that device.
 */
export function createTun(opts: NativeTunOptions, target: NetnsTarget): string {
  const subject = `link.add ${opts.name} (type ${opts.tap ? 'tap' : 'tun'})`;
  try {
    return addon().tunCreate({ ...opts, ...target });
  } catch (e) {
    const { code, syscall } = e as { code?: unknown; syscall?: unknown };
    if (code === 'EBUSY' && syscall === 'TUNSETIFF')
      throw new NetlinkError({ errno: osConstants.errno.EEXIST, op: 'TUNSETIFF', subject });
    throw systemError(subject, e);
  }
}

/** Finds a macvtap/ipvtap link's device number in /sys/dev/char (global, unlike /sys/class/net). */
async function tapDevt(name: string, index: number): Promise<[number, number] | undefined> {
  const want = new RegExp(`/net/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(macvtap|ipvtap)/tap${index}$`);
  let entries: string[];
  try {
    entries = await fsp.readdir('/sys/dev/char');
  } catch {
    return undefined;
  }
  for (const e of entries) {
    const target = await fsp.readlink(`/sys/dev/char/${e}`).catch(() => '');
    if (!want.test(target)) continue;
    const [maj, min] = e.split(':').map(Number);
    if (maj !== undefined && min !== undefined) return [maj, min];
  }
  return undefined;
}

/**
 * Makes sure /dev/tap<index> is the character device of the macvtap/ipvtap link `name` (devtmpfs
 * usually made it; a /dev without devtmpfs, or two namespaces' links with one ifindex, may not).
 * Returns the path. A missing node is created where the addon can (mknod); otherwise a warning.
 */
export async function ensureTapDevice(name: string, index: number): Promise<string> {
  const path = `/dev/tap${index}`;
  const devt = await tapDevt(name, index);
  if (!devt) return path;
  const st = await fsp.stat(path).catch(() => undefined);
  // new_encode_dev(): minor's low byte, major, then minor's high bits
  if (
    st?.isCharacterDevice() &&
    ((st.rdev >>> 8) & 0xfff) === devt[0] &&
    ((st.rdev & 0xff) | ((st.rdev >>> 12) & 0xfff00)) === devt[1]
  ) {
    return path;
  }
  if (st === undefined) {
    addon().mknod(path, 0o20600, devt[0], devt[1]);
  } else {
    process.emitWarning(
      `${path} is ${st ? 'another device' : 'missing'}; the character device of ${name} is ${devt[0]}:${devt[1]}`,
      { code: 'RTNETLINK_TAPDEV' },
    );
  }
  return path;
}
