// Placeholder: filled in by its own issue.
import type { Handle } from './handle.js';

export class NexthopApi {
  constructor(protected readonly h: Handle) {}
}
