// macvtap: macvlan's table (IFLA_MACVLAN_*) under IFLA_INFO_KIND "macvtap"; each link comes with
// a character device /dev/tap<ifindex> that a VM opens.
import type { MacvlanOptions, MacvlanState } from '../../../types/link.js';
import { defineKind } from './define.js';
import { macvlanImplies, macvlanRows } from './macvlan.js';

export const macvtap = defineKind<MacvlanOptions & MacvlanState>(
  { type: 'macvtap', required: ['link'], tapDevice: true, createImplies: macvlanImplies },
  macvlanRows,
);
