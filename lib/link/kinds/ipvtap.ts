// ipvtap: ipvlan's table (IFLA_IPVLAN_*) under IFLA_INFO_KIND "ipvtap"; each link comes with a
// character device /dev/tap<ifindex> that a VM opens.
import type { IpvlanOptions } from '../../../types/link.js';
import { defineKind } from './define.js';
import { ipvlanRows } from './ipvlan.js';

export const ipvtap = defineKind<IpvlanOptions>(
  { type: 'ipvtap', required: ['link'], tapDevice: true, aliases: { flags: 'ipvlanFlags' } },
  ipvlanRows,
);
