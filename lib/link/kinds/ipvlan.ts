// ipvlan: IFLA_IPVLAN_*, IPVLAN_MODE_*, IPVLAN_F_* (<linux/if_link.h>). The parent is the common
// IFLA_LINK (`link`). ipvtap.ts uses the same table. add and set also take `ipvlanFlags` as
// API.md's `flags` (an alias: a read reports `flags` as the IFF_* list).
import { enumOf, u16 } from '../../core/schema.js';
import type { IpvlanOptions } from '../../../types/link.js';
import { defineKind, type KindRows } from './define.js';

export const ipvlanRows: KindRows<IpvlanOptions> = {
  mode: [1, enumOf(u16, { l2: 0, l3: 1, l3s: 2 })], // IFLA_IPVLAN_MODE
  ipvlanFlags: [2, enumOf(u16, { bridge: 0, private: 1, vepa: 2 })], // IFLA_IPVLAN_FLAGS (IPVLAN_F_PRIVATE, IPVLAN_F_VEPA)
};

export const ipvlan = defineKind<IpvlanOptions>(
  { type: 'ipvlan', required: ['link'], aliases: { flags: 'ipvlanFlags' } },
  ipvlanRows,
);
