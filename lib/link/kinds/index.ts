// The registry of link kinds: IFLA_INFO_KIND string → that kind's IFLA_INFO_DATA table
// (iproute2's get_link_kind, as a Map). Each kind is one table in its own file.
import type { AttrSchema } from '../../core/schema.js';

export interface KindDef {
  /** The IFLA_INFO_KIND string, e.g. 'vxlan'. */
  kind: string;
  /** The IFLA_INFO_DATA table, if the kind has data. */
  data?: AttrSchema<unknown>;
}

export const KINDS = new Map<string, KindDef>();
