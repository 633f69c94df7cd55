// Placeholder: filled in by its own issue.
import type { Handle } from './handle.js';

export class AddrApi {
  constructor(protected readonly h: Handle) {}
}
