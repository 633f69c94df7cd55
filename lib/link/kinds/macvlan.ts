// macvlan: IFLA_MACVLAN_*, MACVLAN_MODE_*, MACVLAN_FLAG_*, MACVLAN_MACADDR_* (<linux/if_link.h>).
// The parent is the common IFLA_LINK (`link`). macvtap.ts uses the same table.
import { enumOf, mac, nestedList, u32 } from '../../core/schema.js';
import type { MacvlanOptions, MacvlanState } from '../../../types/link.js';
import { flagBit, readOnly } from '../words.js';
import { defineKind, type KindRows } from './define.js';

export const macvlanRows: KindRows<MacvlanOptions & MacvlanState> = {
  mode: [1, enumOf(u32, { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 })], // IFLA_MACVLAN_MODE
  nopromisc: [2, flagBit(1, 'u16')], // IFLA_MACVLAN_FLAGS, MACVLAN_FLAG_NOPROMISC
  nodst: [2, flagBit(2, 'u16')], // IFLA_MACVLAN_FLAGS, MACVLAN_FLAG_NODST
  macaddrMode: [3, enumOf(u32, { add: 0, del: 1, flush: 2, set: 3 })], // IFLA_MACVLAN_MACADDR_MODE
  macaddrData: [5, nestedList(mac, 4)], // IFLA_MACVLAN_MACADDR_DATA of IFLA_MACVLAN_MACADDR
  macaddrCount: [6, readOnly(u32)], // IFLA_MACVLAN_MACADDR_COUNT
  bcqueuelen: [7, u32], // IFLA_MACVLAN_BC_QUEUE_LEN
  usedbcqueuelen: [8, readOnly(u32)], // IFLA_MACVLAN_BC_QUEUE_LEN_USED
};

/** A MAC list given on creation is the list to set (the kernel ignores it without a mode). */
export const macvlanImplies = [['macaddrMode', 'macaddrData', 'set']] as const;

export const macvlan = defineKind<MacvlanOptions & MacvlanState>(
  { type: 'macvlan', required: ['link'], createImplies: macvlanImplies },
  macvlanRows,
);
