// Placeholder: filled in by its own issue.
import type { Handle } from './handle.js';

export type MonitorGroup = 'link' | 'ipv4-addr' | 'ipv6-addr' | 'ipv4-route' | 'ipv6-route' | 'neigh' | 'rule';
export interface MonitorOptions {
  resync?: boolean;
}

export class Monitor {
  constructor(protected readonly h: Handle, readonly groups: readonly MonitorGroup[], readonly opts: MonitorOptions) {}
}
