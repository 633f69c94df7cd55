// Interface index → name for the decoders of dumps, as `ip` names devices: read from the socket one
// index at a time (SIOCGIFNAME) where it can, else with one RTM_GETLINK dump (ifinfomsg +
// IFLA_IFNAME only, statistics skipped), which for neighbours also records the hardware types
// (ifi_type) by which `ip neigh` prints a tunnel neighbour's lladdr.
import type { Handle } from '../handle.js';
import { attrTable } from '../core/attr.js';
import { AF_UNSPEC, RTEXT_FILTER_SKIP_STATS, RTM_GETLINK } from '../core/constants.js';
import { noSuchDevice } from '../core/errors.js';
import type { NlMsg } from '../core/nlmsg.js';
import { ifinfomsg, IFLA_EXT_MASK, IFLA_IFNAME, lladdrIpLen } from '../link/ifla.js';
import { linkIndex } from '../link/lookup.js';

/** Names of devices by ifindex, for a decoder's `dev` (a Map will do). */
export interface LinkNames {
  get(index: number): string | undefined;
}

/**
 * Every link of the handle's namespace as index → name. With `types`, the same dump also records
 * there the hardware type (ifi_type) of each link whose link-layer addresses `ip` prints as IP
 * addresses (the IP tunnels: see lladdrIpLen); other links are left out of it.
 */
export async function linkNames(
  h: Handle,
  signal: AbortSignal | undefined,
  types?: Map<number, number>,
): Promise<Map<number, string>> {
  const pairs = await h.engine.dump(
    RTM_GETLINK,
    (w) => {
      ifinfomsg.write(w, { family: AF_UNSPEC });
      w.attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    },
    (m: NlMsg): [number, string] | undefined => {
      const hdr = ifinfomsg.read(m.buf, m.off, m.end - m.off, ['ifinfomsg']);
      if (types && lladdrIpLen(hdr.type) !== undefined) types.set(hdr.index, hdr.type);
      const name = attrTable(m.buf, m.off + ifinfomsg.size, m.end, ['IFLA'])[IFLA_IFNAME];
      if (!name) return undefined;
      let end = name[0];
      while (end < name[0] + name[1] && m.buf[end] !== 0) end++;
      return [hdr.index, m.buf.toString('utf8', name[0], end)];
    },
    { subject: 'link names', signal },
  );
  return new Map(pairs);
}

/**
 * Names of the links for a decoder, and the devices `named` ({ field: name }) as indexes. Where the
 * socket can name devices (SIOCGIFNAME as the decoder meets each index), each name is looked up as
 * any device name is (linkIndex: SIOCGIFINDEX, else RTM_GETLINK, whose ENODEV names the field);
 * else one link dump gives both. `subject`: the call, in front of the field in an error.
 */
export async function devicesNamed<K extends string>(
  h: Handle,
  named: Partial<Record<K, string>>,
  subject: string,
  signal: AbortSignal | undefined,
): Promise<{ links: LinkNames; index: Partial<Record<K, number>> }> {
  const wanted = (Object.entries(named) as [K, string | undefined][]).filter(
    (e): e is [K, string] => e[1] !== undefined,
  );
  const index: Partial<Record<K, number>> = {};
  const now = h.engine.ifNamesNow();
  if (now) {
    for (const [field, name] of wanted) index[field] = await linkIndex(h, name, field, { signal }, subject);
    return { links: now, index };
  }
  const links = await linkNames(h, signal);
  for (const [field, name] of wanted) {
    let i = 0;
    for (const [k, n] of links) if (n === name) i = k;
    if (!i) throw noSuchDevice(subject, field, name);
    index[field] = i;
  }
  return { links, index };
}

/** The name of ifindex as iproute2's ll_index_to_name gives it ('if<N>' when unknown). */
export function nameOf(names: LinkNames | undefined, index: number): string {
  return names?.get(index) ?? `if${index}`;
}
