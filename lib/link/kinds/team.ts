// team: no IFLA_INFO_DATA (ports and runners are set over generic netlink, by teamd). The driver
// refuses a port that is up (team_port_add: EBUSY, "Device is up. Set it down before adding it as
// a team port"), so enslaving takes the port down first, as for a bond.
import { defineKind } from './define.js';

export const team = defineKind({ type: 'team', portsDown: true });
