// team: no IFLA_INFO_DATA (ports and runners are set over generic netlink, by teamd).
import { defineKind } from './define.js';

export const team = defineKind({ type: 'team' });
