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

/** new_encode_dev(): minor's low byte, major, then minor's high bits — what stat() reports as rdev. */
function encodeDev(major: number, minor: number): number {
  const low = minor & 0xff;
  return low + major * 0x100 + (minor - low) * 0x1000;
}

/** An rdev's [major, minor] (the inverse of encodeDev). */
function decodeDev(rdev: number): [number, number] {
  return [(rdev >>> 8) & 0xfff, (rdev & 0xff) | ((rdev >>> 12) & 0xfff00)];
}

function devtText(rdev: number): string {
  return decodeDev(rdev).join(':');
}

/** A macvtap/ipvtap character device in /sys/dev/char: its link's name and index, and its rdev. */
export interface TapEntry {
  name: string;
  index: number;
  devt: number;
}

/** The tap device a /sys/dev/char link points at (…/net/NAME/macvtap/tapINDEX), if it is one. */
function tapEntry(target: string, devt: number): TapEntry | undefined {
  const m = /\/net\/([^/]+)\/(?:macvtap|ipvtap)\/tap(\d+)$/.exec(target);
  return m ? { name: m[1]!, index: Number(m[2]), devt } : undefined;
}

/**
 * The macvtap/ipvtap character devices of every namespace, from /sys/dev/char (global, unlike
 * /sys/class/net): one readdir and a readlink per entry, so a caller checking several links scans once.
 */
export async function scanTapDevices(): Promise<readonly TapEntry[]> {
  let entries: string[];
  try {
    entries = await fsp.readdir('/sys/dev/char');
  } catch {
    return [];
  }
  const found: TapEntry[] = [];
  for (const e of entries) {
    const [maj, min] = e.split(':').map(Number);
    if (maj === undefined || min === undefined) continue;
    const entry = tapEntry(await fsp.readlink(`/sys/dev/char/${e}`).catch(() => ''), encodeDev(maj, min));
    if (entry) found.push(entry);
  }
  return found;
}

/**
 * The device numbers of the tap devices of a link called `name` with ifindex `index`. Links of one
 * name and index in two namespaces give two, which nothing here can tell apart.
 */
function devtsOf(scan: readonly TapEntry[], name: string, index: number): number[] {
  return scan.filter((t) => t.name === name && t.index === index).map((t) => t.devt);
}

/** The /dev/tapN nodes this process made (path → rdev), which `link.del` removes again. */
const madeNodes = new Map<string, number>();

/**
 * Whether a node of device number `rdev` at /dev/tap<index> can only be a leftover: a tap
 * device's number (a major the scan shows macvtap/ipvtap using) that belongs to no tap device any
 * more, or to one of another index (devtmpfs names a node after its link's index). Such a node is
 * what a deleted namespace leaves behind when its node was made with mknod (here, or by anyone):
 * devtmpfs removes only its own, and the kernel reuses the minor for the next macvtap.
 */
function isStaleTapNode(scan: readonly TapEntry[], rdev: number, index: number): boolean {
  const major = decodeDev(rdev)[0];
  if (!scan.some((t) => decodeDev(t.devt)[0] === major)) return false; // not a tap device's number
  return !isIndexOf(ownerIn(scan, rdev), index);
}

/** The tap device of number `devt` in a scan, if there is one. */
function ownerIn(scan: readonly TapEntry[], devt: number): TapEntry | undefined {
  return scan.find((t) => t.devt === devt);
}

/** Whether a device number's tap device (`owner`, none if it has gone) is link `index`'s. */
function isIndexOf(owner: TapEntry | undefined, index: number): boolean {
  return owner?.index === index;
}

/**
 * The tap device of number `devt` as /sys/dev/char shows it now (a scan may be older than a
 * device made meanwhile, in this namespace or another): read again before a node is removed.
 */
async function tapDeviceNow(devt: number): Promise<TapEntry | undefined> {
  const [maj, min] = decodeDev(devt);
  return tapEntry(await fsp.readlink(`/sys/dev/char/${maj}:${min}`).catch(() => ''), devt);
}

/** Whether the node at /dev/tap<index> of number `devt` is, right now, not that index's device. */
async function stillStale(devt: number, index: number): Promise<boolean> {
  return !isIndexOf(await tapDeviceNow(devt), index);
}

/** Removes the nodes this process made whose device went (with its link, or its whole namespace). */
async function sweepMadeNodes(scan: readonly TapEntry[]): Promise<void> {
  for (const [path, devt] of [...madeNodes]) {
    const index = Number(path.slice('/dev/tap'.length));
    if (isIndexOf(ownerIn(scan, devt), index)) continue;
    if (!(await stillStale(devt, index))) continue; // made since the scan
    madeNodes.delete(path);
    const st = await fsp.stat(path).catch(() => undefined);
    if (st?.isCharacterDevice() && st.rdev === devt) await fsp.unlink(path).catch(() => undefined);
  }
}

/**
 * Makes sure /dev/tap<index> is the character device of the macvtap/ipvtap link `name`, and
 * returns that path; devtmpfs usually made the node, and a missing one is made here (mknod), as is
 * one in place of a leftover node (isStaleTapNode; with an RTNETLINK_TAPDEV warning saying so).
 * Returns undefined, with a warning (code RTNETLINK_TAPDEV) giving the device's major:minor, where
 * /dev/tap<index> is another link's device — devtmpfs has one /dev for every namespace, so a link
 * with the index of another namespace's macvtap has no node of its own — or where a link of the
 * same name and index in another namespace makes the device impossible to tell. Nodes this process
 * made for devices that have gone since are removed on the way.
 */
export async function ensureTapDevice(
  name: string,
  index: number,
  scan: Promise<readonly TapEntry[]> = scanTapDevices(),
): Promise<string | undefined> {
  const path = `/dev/tap${index}`;
  const entries = await scan;
  if (madeNodes.size > 0) await sweepMadeNodes(entries);
  const devts = devtsOf(entries, name, index);
  if (devts.length === 0) return path; // no sysfs to check against (or the link is already gone)
  let st = await fsp.stat(path).catch(() => undefined);
  if (devts.length > 1) {
    process.emitWarning(
      `the character device of ${name} is one of ${devts.map(devtText).join(', ')} (links named ${name} with index ${index} in ${devts.length} namespaces); ${path} is not reported`,
      { code: 'RTNETLINK_TAPDEV' },
    );
    return undefined;
  }
  const devt = devts[0]!;
  if (st?.isCharacterDevice() && st.rdev === devt) return path;
  if (st?.isCharacterDevice() && isStaleTapNode(entries, st.rdev, index) && (await stillStale(st.rdev, index))) {
    await fsp.unlink(path);
    process.emitWarning(
      `${path} was a leftover node (${devtText(st.rdev)}, ${entries.some((t) => t.devt === st!.rdev) ? 'the device of another index' : 'no such device'}); made it again for ${name} (${devtText(devt)})`,
      { code: 'RTNETLINK_TAPDEV' },
    );
    st = undefined;
  }
  if (st === undefined) {
    addon().mknod(path, 0o20600, ...decodeDev(devt));
    madeNodes.set(path, devt);
    return path;
  }
  process.emitWarning(
    `${path} is another device; the character device of ${name} is ${devtText(devt)} (make a node for it where the VM will open it)`,
    { code: 'RTNETLINK_TAPDEV' },
  );
  return undefined;
}

/** Whether this process made a /dev/tapN node that a deleted link should take along. */
export function madeTapDevices(): boolean {
  return madeNodes.size > 0;
}

/** The device numbers of link `name`'s tap character device, where exactly one is found. */
export async function tapDevt(name: string, index: number): Promise<number | undefined> {
  const devts = devtsOf(await scanTapDevices(), name, index);
  return devts.length === 1 ? devts[0] : undefined;
}

/** After `link.del`: removes the /dev/tap<index> this process made for that link's device `devt`. */
export async function removeMadeTapDevice(index: number, devt: number): Promise<void> {
  const path = `/dev/tap${index}`;
  if (madeNodes.get(path) !== devt) return;
  madeNodes.delete(path);
  const st = await fsp.stat(path).catch(() => undefined);
  if (st?.isCharacterDevice() && st.rdev === devt) await fsp.unlink(path).catch(() => undefined);
}
