// vlan: IFLA_VLAN_* and struct ifla_vlan_flags / ifla_vlan_qos_mapping (<linux/if_link.h>),
// VLAN_FLAG_* (<linux/if_vlan.h>). The parent is the common IFLA_LINK (`link`).
import { nestedList, struct, structAttr, u16 } from '../../core/schema.js';
import type { VlanOptions } from '../../../types/link.js';
import { flagBit, ranged, structIn } from '../words.js';
import { vlanProtocol } from './bridge.js';
import { defineKind } from './define.js';

const qosMapping = structAttr(
  struct<{ from: number; to: number }>('ifla_vlan_qos_mapping', 8, { from: [0, 'u32'], to: [4, 'u32'] }),
);
/** A skb priority (u32) and a VLAN priority (PCP, 3 bits: the kernel keeps `& 7` of it). */
const SKB_PRIO = [0, 0xffffffff] as const;
const PCP = [0, 7] as const;

export const vlan = defineKind<VlanOptions>(
  {
    type: 'vlan',
    required: ['link', 'id'],
    changeable: ['reorderHdr', 'gvrp', 'mvrp', 'looseBinding', 'bridgeBinding', 'egressQosMap', 'ingressQosMap'],
    // vlan_fill_info sends IFLA_VLAN_FLAGS only while a flag is on: without it every flag is off
    // (and a new VLAN's reorder_hdr would be on)
    unreported: { reorderHdr: false, gvrp: false, looseBinding: false, mvrp: false, bridgeBinding: false },
  },
  {
    id: [1, ranged(u16, 1, 4094)], // IFLA_VLAN_ID
    reorderHdr: [2, flagBit(0x1)], // IFLA_VLAN_FLAGS, VLAN_FLAG_REORDER_HDR
    gvrp: [2, flagBit(0x2)], // IFLA_VLAN_FLAGS, VLAN_FLAG_GVRP
    looseBinding: [2, flagBit(0x4)], // IFLA_VLAN_FLAGS, VLAN_FLAG_LOOSE_BINDING
    mvrp: [2, flagBit(0x8)], // IFLA_VLAN_FLAGS, VLAN_FLAG_MVRP
    bridgeBinding: [2, flagBit(0x10)], // IFLA_VLAN_FLAGS, VLAN_FLAG_BRIDGE_BINDING
    egressQosMap: [3, nestedList(structIn(qosMapping, { from: SKB_PRIO, to: PCP }), 1)], // IFLA_VLAN_EGRESS_QOS of IFLA_VLAN_QOS_MAPPING
    ingressQosMap: [4, nestedList(structIn(qosMapping, { from: PCP, to: SKB_PRIO }), 1)], // IFLA_VLAN_INGRESS_QOS of IFLA_VLAN_QOS_MAPPING
    protocol: [5, vlanProtocol], // IFLA_VLAN_PROTOCOL (network byte order)
  },
);
