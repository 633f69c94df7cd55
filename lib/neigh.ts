// Placeholder: filled in by its own issue.
import type { Handle } from './handle.js';

export class NeighApi {
  constructor(protected readonly h: Handle) {}
}

export class FdbApi {
  constructor(protected readonly h: Handle) {}
}
