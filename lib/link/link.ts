// Links (≈ `ip link`): list, get, add, set, del over RTM_*LINK with ifinfomsg + IFLA_* (<linux/rtnetlink.h>,
// <linux/if_link.h>); tun/tap through /dev/net/tun (≈ `ip tuntap add`). One link's lookup is in
// lookup.ts, port options in ports.ts, decoding in decode.ts, error wording in hints.ts.
import type { Handle } from '../handle.js';
import { open } from '../handle.js';
import { AF_UNSPEC, NLM_F_CREATE, NLM_F_EXCL, RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK } from '../core/constants.js';
import { asCallError, NetlinkError, resubject } from '../core/errors.js';
import {
  checkBool,
  checkCallOptions,
  checkInt,
  checkKnownFields,
  checkObject,
  describe,
  type CallOptions,
} from '../core/validate.js';
import {
  checkTun,
  createTun,
  ensureTapDevice,
  madeTapDevices,
  removeMadeTapDevice,
  scanTapDevices,
  tapDevt,
  type TapEntry,
} from '../tun.js';
import type { Link, LinkChange, LinkRef, LinkSpec, NetnsRef } from '../../types/link.js';
import { ifinfomsg, IFLA_EXT_MASK } from './ifla.js';
import { TYPES } from './kinds/index.js';
import type { KindDef } from './kinds/define.js';
import { ignoredVlanField, vlanFilteringHint } from './kinds/bridge.js';
import { decodeLink } from './decode.js';
import { missingDriver, notAPort, tunnelAddress, unheeded } from './hints.js';
import { resolveParts } from './resolve.js';
import { linkIndex, lookupBody, readLink, setLinkUp } from './lookup.js';
import { checkPort, needsPortDown, portDownFor, setPort } from './ports.js';
import {
  checkParts,
  hasKindFields,
  isNetnsFd,
  kindOf,
  splitChange,
  splitSpec,
  writeLink,
  type Fields,
  type Parts,
  type PortParts,
} from './spec.js';

export type { LinkRef };
export { decodeLink };

/** What link.list takes (`ip link show [type T] [master M] [up]`); absent fields do not filter. */
export interface LinkFilter {
  /** Only links of this type ('device' for links without a kind). */
  type?: string | undefined;
  /** Only ports of this master (name or index). */
  master?: LinkRef | undefined;
  /** Only links that are up (true) or down (false). */
  up?: boolean | undefined;
}

/** The Link of one `type` (`LinkOfType<'vxlan'>` is VxlanLink). */
export type LinkOfType<T extends Link['type']> = Extract<Link, LinkKindFilter<T>>;

/** link.list's filter with a `type`: the result is typed as that kind's links. */
export interface LinkKindFilter<T extends Link['type']> extends LinkFilter {
  /** Only links of this type. */
  type: T;
}

/** The fields link.list's filter takes. */
const FILTER_KEYS = new Set(['type', 'master', 'up']);

/** Handle options for a namespace given as a NetnsRef. */
function handleIn(ns: NetnsRef): Handle {
  if (typeof ns === 'string') return open({ netns: ns });
  return isNetnsFd(ns) ? open({ netnsFd: ns.fd }) : open({ netnsPath: ns.path });
}

/** Whether the link comes with a /dev/tap<ifindex> character device (macvtap, ipvtap). */
function hasTapDevice(link: Link): boolean {
  return (TYPES.get(link.type)?.tapDevice ?? false) && link.index > 0;
}

/**
 * A macvtap/ipvtap's `tapDevice`, set by get() and list() once checked to be its character device
 * (made if missing); a decoded link alone (a monitor event) does not carry it.
 */
async function checkTapDevice(link: Link, scan?: Promise<readonly TapEntry[]>): Promise<void> {
  if (!hasTapDevice(link)) return;
  const path = await ensureTapDevice(link.name, link.index, scan);
  if (path !== undefined) (link as Link & { tapDevice?: string }).tapDevice = path;
}

/** Links (`ip link`, `ip tuntap`) of one handle's namespace: `h.link`, or the module-level `link`. */
export class LinkApi {
  constructor(private readonly h: Handle) {}

  /** `ip link show type TYPE`: the links of one kind, typed as that kind's. */
  list<T extends Link['type']>(filter: LinkKindFilter<T>, opts?: CallOptions): Promise<LinkOfType<T>[]>;
  /** `ip link show`: every link, optionally filtered. */
  list(filter?: LinkFilter, opts?: CallOptions): Promise<Link[]>;
  async list(filter: LinkFilter = {}, opts?: CallOptions): Promise<Link[]> {
    const signal = checkCallOptions(opts);
    checkObject(filter, 'filter');
    checkKnownFields(filter, FILTER_KEYS, 'link filter (expected type, master, up)');
    if (filter.type !== undefined && (typeof filter.type !== 'string' || !filter.type))
      throw new TypeError(`Expected "type" to be a link type, got ${describe(filter.type)}`);
    if (filter.up !== undefined) checkBool(filter.up, 'up');
    let master: number | undefined;
    if (filter.master !== undefined) master = await this.indexOf(filter.master, 'master', opts, 'link.list');
    const links = await this.h.engine.dump(
      RTM_GETLINK,
      (w) => {
        ifinfomsg.write(w, { family: AF_UNSPEC });
        // No RTEXT_FILTER_VF: VF collection holds the kernel's lock for long on SR-IOV hosts.
        w.attrU32(IFLA_EXT_MASK, 0);
      },
      decodeLink,
      { subject: 'link.list', signal },
    );
    const shown = links.filter(
      (l) =>
        (filter.type === undefined || l.type === filter.type || (l.type === 'other' && l.kind === filter.type)) &&
        (master === undefined || l.master === master) &&
        (filter.up === undefined || l.up === filter.up),
    );
    // one scan of /sys/dev/char for all the tap devices listed
    const scan = shown.some(hasTapDevice) ? scanTapDevices() : undefined;
    for (const l of shown) await checkTapDevice(l, scan);
    return shown;
  }

  /**
   * `ip link show DEV`: rejects with NetlinkError code 'ENODEV' when absent. A macvtap/ipvtap's
   * /dev/tapN is made if missing, and left out (with a warning) where it is another link's.
   */
  async get(ref: LinkRef, opts?: CallOptions): Promise<Link> {
    const link = await readLink(this.h, ref, opts);
    await checkTapDevice(link);
    return link;
  }

  /**
   * The ifindex of a link given by name or index (an index is checked to be a positive integer
   * only). A name is read at once from the kernel where the transport can (SIOCGIFINDEX), else, or
   * when there is no such link, asked with RTM_GETLINK (whose ENODEV names the field). With `call`
   * (e.g. `link.add mv1 (type macvlan)`), an error starts with the call and has `field` set.
   */
  indexOf(ref: LinkRef, field: string, opts?: CallOptions, call?: string): Promise<number> {
    return linkIndex(this.h, ref, field, opts, call);
  }

  /** The ifindex of the link a call works on (`link.set REF`), its lookup's error worded as the call's. */
  private async targetOf(ref: LinkRef, subject: string, opts?: CallOptions): Promise<number> {
    if (typeof ref === 'number') return checkInt(ref, 'nameOrIndex', 1, 0x7fffffff);
    try {
      return await this.indexOf(ref, 'nameOrIndex', opts);
    } catch (e) {
      throw asCallError(e, subject, undefined);
    }
  }

  /**
   * `ip link add NAME [link PARENT] … type TYPE …` (tun/tap: `ip tuntap add NAME mode tun|tap`).
   * Returns the link as the kernel now reports it. Read-only fields of a Link are ignored, so
   * `add({ ...(await get('x')), name: 'y' })` makes a like link (its `linkNetnsId`, sent as
   * `link-netnsid`, keeps a parent in another namespace). A name may not hold '%' (no templates).
   * A read link is typed as accepted as it is; a veth's still needs its `peer`, and a `device` (a
   * link without a kind) cannot be made (TypeErrors).
   */
  add(spec: LinkSpec, opts?: CallOptions): Promise<Link>;
  /** A link as get/list read it, made again (see the other signature). */
  add(link: Link, opts?: CallOptions): Promise<Link>;
  async add(spec: LinkSpec | Link, opts?: CallOptions): Promise<Link> {
    const signal = checkCallOptions(opts);
    const parts = splitSpec(spec);
    const name = parts.common.name as string;
    const subject = `link.add ${name} (type ${parts.def.type === 'other' ? parts.kind : parts.def.type})`;
    if (parts.def.via === 'tun') return this.addTun(spec as unknown as Fields, parts, opts);
    checkParts(parts, true);
    const r = await resolveParts(parts, (ref, f) => this.indexOf(ref, f, opts, subject));
    try {
      const { port, ...rest } = r.parts;
      // the kernel ignores port options on creation: they follow once the link is a port
      if (port && parts.common.netns !== undefined)
        throw new TypeError(`Expected no "netns" with "${port.def.field}" (its master is in this namespace)`);
      if (port) await checkPort(this.h, port, rest.common.master, subject, opts);
      const upLater = rest.up === true && (await needsPortDown(this.h, rest.common.master, opts));
      const create: Parts = upLater ? { ...rest, up: undefined } : rest;
      await this.h.engine.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, (w) => writeLink(w, create, 0, true), {
        subject,
        signal,
        hint: (errno, extack) =>
          missingDriver(parts.kind)(errno, extack) ?? vlanFilteringHint(parts.data)(errno, extack),
      });
      return await this.inNetns(parts.common.netns, async (api) => {
        if (upLater) await setLinkUp(api.h, name, true, subject, opts);
        if (port && Object.keys(port.data).length > 0) await api.portAfterAdd(name, port, subject, opts);
        const link = await api.get(name, opts);
        if (parts.def.type === 'bridge') {
          const ignored = ignoredVlanField(parts.data, link);
          if (ignored) {
            await api.del(link.index).catch(() => undefined);
            throw unheeded(subject, ignored, 'the bridge was not made');
          }
        }
        // The kernel ignores IFLA_IFALIAS on create (iproute2's `ip link add … alias` is lost too): set it now.
        const alias = parts.common.alias;
        return alias !== undefined && link.alias !== alias ? api.set(link.index, { alias }, opts) : link;
      });
    } finally {
      r.release();
    }
  }

  /** link.add's port options, sent once the link exists; refused, the new link is deleted again. */
  private async portAfterAdd(name: string, port: PortParts, subject: string, opts?: CallOptions): Promise<void> {
    const index = await this.indexOf(name, 'name', opts, subject);
    try {
      await setPort(this.h, index, port, subject, opts);
    } catch (e) {
      await this.del(index).catch(() => undefined);
      throw e;
    }
  }

  /** tun/tap: TUNSETIFF on /dev/net/tun in the target namespace, then the common fields through link.set. */
  private async addTun(spec: Fields, parts: Parts, opts?: CallOptions): Promise<Link> {
    const name = parts.common.name as string;
    const tun = checkTun({ ...spec, name, tap: parts.def.type === 'tap' });
    const { name: _n, netns, linkNetnsId, ...rest } = parts.common;
    if (linkNetnsId !== undefined) throw new TypeError(`Field "linkNetnsId" does not apply to type ${parts.def.type}`);
    const change: Fields = { ...rest };
    if (parts.up !== undefined) change['up'] = parts.up;
    // with `master`, link.set sends them once the device is enslaved
    if (parts.port) change[parts.port.def.field] = parts.port.data;
    splitChange(change, undefined);
    checkParts({ ...parts, common: { ...rest, ...(netns === undefined ? {} : { netns }) } }, false);
    return this.inNetns(netns, async (api) => {
      createTun(tun, api.h.target);
      if (Object.keys(change).length === 0) return api.get(name, opts);
      try {
        // a refusal is worded as this call's (`link.add tap5 (type tap): …`, not `link.set tap5: …`)
        return await api.change(name, change, opts, `link.add ${name} (type ${parts.def.type})`);
      } catch (e) {
        await api.del(name).catch(() => undefined);
        throw e;
      }
    });
  }

  /**
   * `ip link set DEV [up|down] [mtu N] [address MAC] [name NEW] [master M | nomaster] [netns NS]
   * [txqueuelen N] [alias TEXT] [type TYPE kind-fields…]`. Enslaving a port to a bond or team takes it down
   * first, as the kernel requires, and restores its state after. Returns the link as it now is.
   */
  async set(ref: LinkRef, change: LinkChange, opts?: CallOptions): Promise<Link> {
    return this.change(ref, change, opts, `link.set ${ref}`);
  }

  /** link.set, its errors worded as `subject`'s (a tun/tap add sets its fields through it). */
  private async change(
    ref: LinkRef,
    change: LinkChange,
    opts: CallOptions | undefined,
    subject: string,
  ): Promise<Link> {
    const signal = checkCallOptions(opts);
    checkObject(change, 'change');
    const ch = change as Fields;
    let def: KindDef | undefined;
    let current: Link | undefined;
    // `type` is checked whenever given: its name now, that it is the link's once the link is read
    const given = ch['type'] === undefined ? undefined : kindOf(ch['type']);
    if (given || hasKindFields(ch)) {
      current = await readLink(this.h, ref, opts, subject);
      if (given && given.type !== current.type)
        throw new TypeError(`Expected "type" to be ${current.type} (the link's type), got ${describe(given.type)}`);
      def = current.type === 'other' || current.type === 'device' ? undefined : TYPES.get(current.type);
    }
    const parts = splitChange(ch, def);
    checkParts(parts, Object.keys(parts.data).length > 0);
    // moved to another namespace, the link is read back there by name (its index may change)
    if (parts.common.netns !== undefined && ch['name'] === undefined && typeof ref === 'number')
      current ??= await readLink(this.h, ref, opts, subject);
    const index = current?.index ?? (await this.targetOf(ref, subject, opts));
    const r = await resolveParts(parts, (x, f) => this.indexOf(x, f, opts, subject));
    try {
      // port options go with the request, or after it where it changes the master or brings the
      // link up: the kernel applies them first, for the master the link has when the request
      // arrives, and refuses a port state other than disabled on a link that is down (ENETDOWN)
      const { port, ...rest } = r.parts;
      const later = port && (r.parts.common.master !== undefined || r.parts.up === true) ? port : undefined;
      const master = r.parts.common.master;
      if (port) await checkPort(this.h, port, master === undefined ? current : master, subject, opts);
      const first: Parts = later ? rest : r.parts;
      const restore = await portDownFor(this.h, r.parts.common.master, index, subject, opts);
      try {
        await this.h.engine.request(
          RTM_NEWLINK,
          0,
          (w) => writeLink(w, first, index, Object.keys(first.data).length > 0),
          {
            subject,
            signal,
            hint: (errno, extack) =>
              (first.port ? notAPort(first.port, current)(errno) : vlanFilteringHint(first.data)(errno, extack)) ??
              tunnelAddress(first.common.address)(errno, extack),
          },
        );
      } finally {
        if (restore && r.parts.up === undefined) await setLinkUp(this.h, index, true, subject, opts);
      }
      if (later) {
        try {
          await setPort(this.h, index, later, subject, opts);
        } catch (e) {
          // the first request (up, master, …) took effect: say so, as the caller cannot tell
          if (!(e instanceof NetlinkError)) throw e;
          throw resubject(e, `${subject} (${later.def.field})`, e.field, 'the rest of the change was made');
        }
      }
      const name = (ch['name'] as string | undefined) ?? current?.name ?? ref;
      const link = await (parts.common.netns === undefined
        ? this.get(index, opts)
        : this.inNetns(parts.common.netns, (api) => api.get(name, opts)));
      const ignored = link.type === 'bridge' ? ignoredVlanField(parts.data, link) : undefined;
      if (ignored) throw unheeded(subject, ignored, 'the rest of the change was made');
      return link;
    } finally {
      r.release();
    }
  }

  /** `ip link del DEV`. */
  async del(ref: LinkRef, opts?: CallOptions): Promise<void> {
    const signal = checkCallOptions(opts);
    const body = lookupBody(ref, 'nameOrIndex');
    // a /dev/tapN node made here goes with its link (devtmpfs removes only the nodes it made)
    const tap = madeTapDevices() ? await readLink(this.h, ref, opts).catch(() => undefined) : undefined;
    const devt = tap?.type === 'macvtap' || tap?.type === 'ipvtap' ? await tapDevt(tap.name, tap.index) : undefined;
    await this.h.engine.request(RTM_DELLINK, 0, body, { subject: `link.del ${ref}`, signal });
    if (tap && devt !== undefined) await removeMadeTapDevice(tap.index, devt);
  }

  /** Runs fn with this API, or with a short-lived handle's inside `ns`. */
  private async inNetns<T>(ns: NetnsRef | undefined, fn: (api: LinkApi) => Promise<T>): Promise<T> {
    if (ns === undefined) return fn(this);
    const h = handleIn(ns);
    try {
      return await fn(h.link);
    } finally {
      h.close();
    }
  }
}
