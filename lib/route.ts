// Placeholder: filled in by its own issue.
import type { Handle } from './handle.js';

export class RouteApi {
  constructor(protected readonly h: Handle) {}
}
