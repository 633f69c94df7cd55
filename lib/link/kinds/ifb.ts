// ifb (intermediate functional block): no IFLA_INFO_DATA.
import { defineKind } from './define.js';

export const ifb = defineKind({ type: 'ifb' });
