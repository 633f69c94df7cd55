// VRF ports: IFLA_VRF_PORT_* (<linux/if_link.h>) in IFLA_INFO_SLAVE_DATA of a link whose master is
// a VRF (IFLA_INFO_SLAVE_KIND "vrf"), as `ip -d link show` prints them (`vrf_slave table N`,
// iproute2 ip/iplink_vrf.c). The kernel (drivers/net/vrf.c) reports the table of the port's VRF
// (vrf_fill_slave_info) and takes nothing (the vrf driver has no slave_changelink): every row is
// read-only, and a port's table changes with its master (`link.set(dev, { master })`).
import { u32 } from '../../core/schema.js';
import type { VrfPort } from '../../../types/vrf-port.js';
import { readOnly } from '../words.js';
import { definePort } from './define.js';

export const vrfPort = definePort<Omit<VrfPort, 'unknown'>>(
  { slaveKind: 'vrf', field: 'vrfPort' },
  {
    table: [1, readOnly(u32)], // IFLA_VRF_PORT_TABLE
  },
);
