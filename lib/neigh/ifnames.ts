// Interface index → name, read with one RTM_GETLINK dump (ifinfomsg + IFLA_IFNAME only,
// statistics skipped), for naming the devices of neighbour and FDB entries as `ip` does; and the
// hardware types (ifi_type) by which `ip neigh` prints a tunnel neighbour's lladdr.
import type { Handle } from '../handle.js';
import { attrTable } from '../core/attr.js';
import { AF_UNSPEC, RTEXT_FILTER_SKIP_STATS, RTM_GETLINK } from '../core/constants.js';
import type { NlMsg } from '../core/nlmsg.js';
import { ifinfomsg, IFLA_EXT_MASK, IFLA_IFNAME, lladdrIpLen } from '../link/ifla.js';

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

/** The name of ifindex as iproute2's ll_index_to_name gives it ('if<N>' when unknown). */
export function nameOf(names: ReadonlyMap<number, string> | undefined, index: number): string {
  return names?.get(index) ?? `if${index}`;
}
