// dummy: no IFLA_INFO_DATA.
import { defineKind } from './define.js';

export const dummy = defineKind({ type: 'dummy' });
