// tun, tap: IFLA_TUN_* (<linux/if_link.h>), IFF_TUN / IFF_TAP (<linux/if_tun.h>). Both are
// IFLA_INFO_KIND "tun"; IFLA_TUN_TYPE tells them apart. rtnetlink cannot create them
// ("tun/tap creation via rtnetlink is not supported"): lib/tun.ts does, through /dev/net/tun.
import { bool8, enumOf, u32, u8 } from '../../core/schema.js';
import type { TunOptions, TunState } from '../../../types/link.js';
import { readOnly } from '../words.js';
import { defineKind, type KindRows } from './define.js';

const rows: KindRows<TunOptions & TunState & { type: 'tun' | 'tap' }> = {
  owner: [1, readOnly(u32)], // IFLA_TUN_OWNER
  group: [2, readOnly(u32)], // IFLA_TUN_GROUP
  type: [3, readOnly(enumOf(u8, { tun: 1, tap: 2 }))], // IFLA_TUN_TYPE
  pi: [4, readOnly(bool8)], // IFLA_TUN_PI
  vnetHdr: [5, readOnly(bool8)], // IFLA_TUN_VNET_HDR
  persist: [6, readOnly(bool8)], // IFLA_TUN_PERSIST
  multiQueue: [7, readOnly(bool8)], // IFLA_TUN_MULTI_QUEUE
  numQueues: [8, readOnly(u32)], // IFLA_TUN_NUM_QUEUES
  numDisabledQueues: [9, readOnly(u32)], // IFLA_TUN_NUM_DISABLED_QUEUES
};

export const tun = defineKind({ type: 'tun', via: 'tun', changeable: [] }, rows);
export const tap = defineKind({ type: 'tap', kind: 'tun', via: 'tun', changeable: [] }, rows);
