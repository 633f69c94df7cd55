// Input checks shared by neighbours, the FDB and rules: device references and families.
import { AF_INET, AF_INET6 } from '../core/constants.js';
import { checkIfName, checkInt, describe } from '../core/validate.js';

/** A device given by name or ifindex; throws naming the field when it is neither. */
export function checkDevRef(v: unknown, field: string): string | number {
  if (typeof v === 'number') return checkInt(v, field, 1, 0x7fffffff);
  if (typeof v === 'string') return checkIfName(v, field);
  throw new TypeError(`Expected "${field}" to be a link name or index, got ${describe(v)}`);
}

/** 4 → AF_INET, 6 → AF_INET6. */
export function familyOf(v: unknown, field: string): number {
  if (v === 4) return AF_INET;
  if (v === 6) return AF_INET6;
  throw new TypeError(`Expected "${field}" to be 4 or 6, got ${describe(v)}`);
}
