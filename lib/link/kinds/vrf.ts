// vrf: IFLA_VRF_TABLE (<linux/if_link.h>).
import { u32 } from '../../core/schema.js';
import type { VrfOptions } from '../../../types/link.js';
import { defineKind } from './define.js';

export const vrf = defineKind<VrfOptions>(
  { type: 'vrf', required: ['table'], changeable: [] },
  {
    table: [1, u32], // IFLA_VRF_TABLE
  },
);
