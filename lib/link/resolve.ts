// Turns the names in a spec into what the wire carries: link names into ifindexes (IFLA_MASTER,
// IFLA_LINK, IFLA_VXLAN_LINK, IFLA_BOND_PRIMARY, IFLA_BRPORT_BACKUP_PORT…) and namespaces into open descriptors
// (IFLA_NET_NS_FD), as iproute2 does with ll_name_to_index() and netns_get_fd(). Descriptors
// opened here are closed by release() once the request is answered.
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Fields, Parts } from './spec.js';
import { checkNetnsShape, isNetnsFd } from './spec.js';

/** Looks a link name up in the handle's namespace. */
export type IndexOf = (ref: string | number, field: string) => Promise<number>;

/** Parts ready to encode, and the descriptors to close afterwards. */
export interface Resolved {
  parts: Parts;
  /** The descriptor of `netns`, if given (to look the new link up there). */
  netnsFd: number | undefined;
  release(): void;
}

/** Opens a namespace given as a name, { path } or { fd } (the caller's fds are not closed). */
function openNetns(v: unknown, field: string, opened: number[]): number {
  const fd = checkNetnsShape(v, field);
  if (isNetnsFd(v)) return fd;
  const path = typeof v === 'string' ? join('/run/netns', v) : (v as { path: string }).path;
  try {
    const n = openSync(path, 'r'); // libuv opens with O_CLOEXEC
    opened.push(n);
    return n;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw Object.assign(new Error(`${field}: cannot open namespace ${path}: ${err.message}`, { cause: e }), {
      code: err.code,
    });
  }
}

async function toIndex(v: unknown, field: string, indexOf: IndexOf): Promise<unknown> {
  return typeof v === 'string' ? indexOf(v, field) : v;
}

/** Resolves every link name and namespace in p. Close what it opened with release(). */
export async function resolveParts(p: Parts, indexOf: IndexOf): Promise<Resolved> {
  const opened: number[] = [];
  const release = (): void => {
    for (const fd of opened.splice(0)) closeSync(fd);
  };
  try {
    const common: Fields = { ...p.common };
    for (const k of ['master', 'link'] as const) common[k] = await toIndex(common[k], k, indexOf);
    const data: Fields = { ...p.data };
    for (const r of p.def.data?.rows ?? [])
      if (r.codec.linkRef) data[r.key] = await toIndex(data[r.key], r.key, indexOf);
    let netnsFd: number | undefined;
    if (common['netns'] !== undefined) {
      netnsFd = openNetns(common['netns'], 'netns', opened);
      common['netns'] = { fd: netnsFd };
    }
    const peer = data['peer'] as Fields | undefined;
    if (peer?.['netns'] !== undefined)
      data['peer'] = { ...peer, netns: { fd: openNetns(peer['netns'], 'peer.netns', opened) } };
    for (const o of [common, data]) for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
    if (!p.port) return { parts: { ...p, common, data }, netnsFd, release };
    const port: Fields = { ...p.port.data };
    for (const r of p.port.def.data.rows)
      if (r.codec.linkRef) port[r.key] = await toIndex(port[r.key], `${p.port.def.field}.${r.key}`, indexOf);
    for (const k of Object.keys(port)) if (port[k] === undefined) delete port[k];
    return { parts: { ...p, common, data, port: { ...p.port, data: port } }, netnsFd, release };
  } catch (e) {
    release();
    throw e;
  }
}
