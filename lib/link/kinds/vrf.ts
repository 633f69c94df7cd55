// vrf: IFLA_VRF_TABLE (<linux/if_link.h>).
import { u32 } from '../../core/schema.js';
import type { VrfOptions } from '../../../types/link.js';
import { ranged } from '../words.js';
import { defineKind } from './define.js';

export const vrf = defineKind<VrfOptions>(
  { type: 'vrf', required: ['table'], changeable: [] },
  {
    table: [1, ranged(u32, 1, 0xffffffff)], // IFLA_VRF_TABLE (0, RT_TABLE_UNSPEC, is refused)
  },
);
