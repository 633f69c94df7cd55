// veth: VETH_INFO_PEER (<linux/veth.h>) holds the peer as a whole link description (struct
// ifinfomsg + IFLA_*). The kernel reports no IFLA_INFO_DATA for veth: a read gives the peer's
// index as `link` (and `linkNetnsId` when it lives in another namespace).
import type { VethPeer } from '../../../types/link.js';
import { vethPeer } from '../ifla.js';
import { defineKind } from './define.js';

export const veth = defineKind<{ peer: VethPeer }>(
  { type: 'veth', required: ['peer'], changeable: [] },
  {
    peer: [1, vethPeer], // VETH_INFO_PEER
  },
);
