// Policy-routing rules (≈ `ip rule`): add / del / list / flush of RTM_*RULE, checking a RuleSpec
// as ip/iprule.c does before writing its fib_rule_hdr + FRA_* (the wire form is rule/fra.ts).
import type { Handle } from './handle.js';
import type { NlWriter } from './core/attr.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  NLM_F_CREATE,
  NLM_F_EXCL,
  RTM_DELRULE,
  RTM_GETRULE,
  RTM_NEWRULE,
} from './core/constants.js';
import { parseIP, parsePrefix, type Family } from './core/inet.js';
import {
  checkBool,
  checkCallOptions,
  checkIfName,
  checkInt,
  checkKnownFields,
  checkObject,
  describe,
  type CallOptions,
} from './core/validate.js';
import { protocolId, RT_TABLE_MAIN, tableId } from './rt-tables.js';
import type { Rule, RuleFilter, RuleSpec } from '../types/rule.js';
import {
  decodeRule,
  FIB_RULE_INVERT,
  FR_ACT,
  fibRuleHdr,
  fra,
  IPPROTO,
  type FibRuleHdr,
  type FraAttrs,
  type IpProto,
} from './rule/fra.js';

// ---- input checks: RuleSpec → fib_rule_hdr + FRA_* ----

/** A prefix: '10.0.0.0/24', a bare address (host prefix) or 'all' (undefined: match any). */
function prefix(v: unknown, field: string): { family: Family; addr: string; len: number } | undefined {
  if (v === 'all') return undefined;
  if (typeof v !== 'string')
    throw new TypeError(`Expected "${field}" to be a prefix like 10.0.0.0/24, got ${describe(v)}`);
  const slash = v.indexOf('/');
  const addr = slash < 0 ? v : v.slice(0, slash);
  const a = parseIP(addr);
  if (!a)
    throw new TypeError(`Expected "${field}" to be a prefix like 10.0.0.0/24 or 2001:db8::/32, got ${describe(v)}`);
  const max = a.family === 4 ? 32 : 128;
  if (slash < 0) return { family: a.family, addr, len: max };
  const p = v.slice(slash + 1);
  if (!/^\d{1,3}$/.test(p))
    throw new TypeError(`Expected "${field}" to be a prefix like 10.0.0.0/24, got ${describe(v)}`);
  if (Number(p) > max)
    throw new TypeError(
      `Expected "${field}" to have a prefix length of at most ${max} for IPv${a.family}, got ${describe(v)}`,
    );
  return { family: a.family, addr, len: Number(p) };
}

const U32 = /^(0x[0-9a-fA-F]{1,8}|\d{1,10})$/;

/** fwmark as a number or 'MARK[/MASK]' (decimal or 0x hex, as iproute2's get_u32 takes them). */
function fwmark(v: unknown): { mark: number; mask?: number } {
  if (typeof v === 'number') return { mark: checkInt(v, 'fwmark', 0, 0xffffffff) };
  const parts = typeof v === 'string' ? v.split('/') : [];
  if (
    parts.length < 1 ||
    parts.length > 2 ||
    !parts.every((p) => U32.test(p)) ||
    parts.some((p) => Number(p) > 0xffffffff)
  ) {
    throw new TypeError(`Expected "fwmark" to be a number or 'MARK/MASK' text like '0x10/0xff', got ${describe(v)}`);
  }
  return parts.length === 2 ? { mark: Number(parts[0]), mask: Number(parts[1]) } : { mark: Number(parts[0]) };
}

/** A range as { start, end }, 'start-end' or (single) one number. */
function range(v: unknown, field: string, max: number, single: boolean): { start: number; end: number } {
  if (single && typeof v === 'number') {
    const n = checkInt(v, field, 0, max);
    return { start: n, end: n };
  }
  if (typeof v === 'string') {
    const m = /^(\d+)(?:-(\d+))?$/.exec(v);
    if (m && (single || m[2] !== undefined)) v = { start: Number(m[1]), end: Number(m[2] ?? m[1]) };
  }
  if (v === null || typeof v !== 'object') {
    throw new TypeError(
      `Expected "${field}" to be ${single ? 'a number, ' : ''}{ start, end } or 'start-end', got ${describe(v)}`,
    );
  }
  const o = v as Record<string, unknown>;
  const start = checkInt(o['start'], `${field}.start`, 0, max);
  const end = checkInt(o['end'], `${field}.end`, 0, max);
  if (start > end) throw new RangeError(`Expected "${field}" to start at or before its end, got ${start}-${end}`);
  return { start, end };
}

function ipproto(v: unknown): IpProto {
  if (typeof v === 'number') return String(checkInt(v, 'ipproto', 0, 255)) as IpProto;
  if (typeof v === 'string' && Object.hasOwn(IPPROTO, v)) return v as IpProto;
  // a read Rule gives a protocol without a name as its number in a string ('200')
  if (typeof v === 'string' && /^\d{1,3}$/.test(v)) return String(checkInt(Number(v), 'ipproto', 0, 255)) as IpProto;
  throw new TypeError(
    `Expected "ipproto" to be a number in 0..255 or one of ${Object.keys(IPPROTO).join(', ')}, got ${describe(v)}`,
  );
}

const ACTIONS = [...Object.keys(FR_ACT), 'lookup'];

/** Every RuleSpec field (a record, so a field added to the type must be added here). */
const SPEC_FIELDS: Record<keyof RuleSpec, true> = {
  family: true,
  priority: true,
  from: true,
  to: true,
  not: true,
  table: true,
  fwmark: true,
  fwmask: true,
  iif: true,
  oif: true,
  action: true,
  goto: true,
  tos: true,
  l3mdev: true,
  uidrange: true,
  ipproto: true,
  sport: true,
  dport: true,
  protocol: true,
  suppressPrefixlength: true,
  suppressIfgroup: true,
  realms: true,
};
const SPEC_KEYS: ReadonlySet<string> = new Set(Object.keys(SPEC_FIELDS));

/** Fields of a read Rule that a spec does not take (FIB_RULE_* state flags): add and del skip them. */
const READ_ONLY: ReadonlySet<string> = new Set(['iifDetached', 'oifDetached', 'unresolved']);

/** Attributes the kernel's rule_find (net/core/fib_rules.c) treats as "any" when 0. */
const ZERO_IS_ANY: ReadonlySet<string> = new Set(['fwmark', 'fwmask', 'protocol', 'ipproto']);

/** Whether a del request selects anything: the kernel deletes the first rule when it does not. */
function selects(hdr: FibRuleHdr, attrs: Partial<FraAttrs>): boolean {
  if (hdr.srcLen || hdr.dstLen || hdr.tos || hdr.table || hdr.action) return true;
  return Object.entries(attrs).some(([k, v]) => !(ZERO_IS_ANY.has(k) && (v === 0 || v === '0')));
}

/** Checks a RuleSpec as ip/iprule.c's iprule_modify parses its arguments; `add` fills its defaults. */
function ruleReq(spec: RuleSpec, add: boolean): { hdr: FibRuleHdr; attrs: Partial<FraAttrs> } {
  const s = Object.fromEntries(Object.entries(checkObject(spec, 'spec')).filter(([k]) => !READ_ONLY.has(k)));
  checkKnownFields(s, SPEC_KEYS, 'rule spec');
  const hdr: FibRuleHdr = { family: AF_UNSPEC, dstLen: 0, srcLen: 0, tos: 0, table: 0, action: 0, flags: 0 };
  const attrs: Partial<FraAttrs> = {};
  let family: Family | undefined;
  if (s['family'] !== undefined) {
    if (s['family'] !== 4 && s['family'] !== 6)
      throw new TypeError(`Expected "family" to be 4 or 6, got ${describe(s['family'])}`);
    family = s['family'];
  }
  for (const [field, lenKey] of [
    ['from', 'srcLen'],
    ['to', 'dstLen'],
  ] as const) {
    if (s[field] === undefined) continue;
    const p = prefix(s[field], field);
    if (!p) continue;
    if (family !== undefined && p.family !== family) {
      throw new TypeError(
        `Expected "${field}" to be an IPv${family} prefix (the rule's family), got ${describe(s[field])}`,
      );
    }
    family = p.family;
    attrs[field] = p.addr;
    hdr[lenKey] = p.len;
  }
  hdr.family = family === 6 ? AF_INET6 : AF_INET;
  if (s['priority'] !== undefined) attrs.priority = checkInt(s['priority'], 'priority', 0, 0xffffffff);
  if (s['not'] !== undefined && checkBool(s['not'], 'not')) hdr.flags |= FIB_RULE_INVERT;
  if (s['tos'] !== undefined) hdr.tos = checkInt(s['tos'], 'tos', 0, 255);
  if (s['fwmark'] !== undefined) {
    const f = fwmark(s['fwmark']);
    attrs.fwmark = f.mark;
    if (f.mask !== undefined) attrs.fwmask = f.mask;
  }
  if (s['fwmask'] !== undefined) {
    if (attrs.fwmask !== undefined) throw new TypeError('Expected "fwmask" only when "fwmark" holds no /MASK');
    if (s['fwmark'] === undefined) throw new TypeError('Expected "fwmask" only together with "fwmark"');
    attrs.fwmask = checkInt(s['fwmask'], 'fwmask', 0, 0xffffffff);
  }
  if (s['realms'] !== undefined) attrs.realms = checkInt(s['realms'], 'realms', 0, 0xffffffff);
  if (s['protocol'] !== undefined) attrs.protocol = protocolId(s['protocol']);
  let tableGiven = false;
  if (s['table'] !== undefined) {
    const t = tableId(s['table']);
    if (t < 256) hdr.table = t;
    else attrs.table = t;
    tableGiven = true;
  }
  if (s['suppressPrefixlength'] !== undefined)
    attrs.suppressPrefixlength = checkInt(s['suppressPrefixlength'], 'suppressPrefixlength', 0, 0x7fffffff);
  if (s['suppressIfgroup'] !== undefined)
    attrs.suppressIfgroup = checkInt(s['suppressIfgroup'], 'suppressIfgroup', 0, 0x7fffffff);
  if (s['iif'] !== undefined) attrs.iif = checkIfName(s['iif'], 'iif');
  if (s['oif'] !== undefined) attrs.oif = checkIfName(s['oif'], 'oif');
  if (s['l3mdev'] !== undefined && checkBool(s['l3mdev'], 'l3mdev')) {
    if (tableGiven) throw new TypeError('Expected no "table" with "l3mdev" (the VRF device names the table)');
    attrs.l3mdev = true;
  }
  if (s['uidrange'] !== undefined) attrs.uidrange = range(s['uidrange'], 'uidrange', 0xffffffff, false);
  if (s['ipproto'] !== undefined) attrs.ipproto = ipproto(s['ipproto']);
  if (s['sport'] !== undefined) attrs.sport = range(s['sport'], 'sport', 0xffff, true);
  if (s['dport'] !== undefined) attrs.dport = range(s['dport'], 'dport', 0xffff, true);
  let action: number | undefined;
  if (s['action'] !== undefined) {
    const a = s['action'];
    if (typeof a !== 'string' || !ACTIONS.includes(a))
      throw new TypeError(`Expected "action" to be one of ${ACTIONS.join(', ')}, got ${describe(a)}`);
    action = a === 'lookup' ? FR_ACT.to_tbl : FR_ACT[a as keyof typeof FR_ACT];
  }
  if (s['goto'] !== undefined) {
    if (action !== undefined && action !== FR_ACT.goto)
      throw new TypeError(`Expected "goto" only with action 'goto', got action ${describe(s['action'])}`);
    attrs.goto = checkInt(s['goto'], 'goto', 0, 0xffffffff);
    action = FR_ACT.goto;
  } else if (action === FR_ACT.goto && add) {
    throw new TypeError('Expected "goto" (the target priority) with action \'goto\'');
  }
  // `ip rule add` defaults: action to_tbl, and table main unless a table, l3mdev or a non-lookup action is given.
  if (add) {
    hdr.action = action ?? FR_ACT.to_tbl;
    if (!tableGiven && !attrs.l3mdev && hdr.action === FR_ACT.to_tbl) hdr.table = RT_TABLE_MAIN;
  } else {
    if (action !== undefined) hdr.action = action;
    // `ip rule del` without arguments is refused; the kernel would delete the first rule,
    // `0: from all lookup local`, and with it local delivery.
    if (!selects(hdr, attrs)) {
      throw new TypeError(
        'Expected rule.del to get a selector besides "family" (priority, from, to, table, fwmark, iif, oif, ' +
          "action, …; 'all' and zero marks select nothing): without one the kernel deletes the first rule, " +
          "'0: from all lookup local'",
      );
    }
  }
  return { hdr, attrs };
}

function ruleBody(spec: RuleSpec, add: boolean): (w: NlWriter) => void {
  const { hdr, attrs } = ruleReq(spec, add);
  return (w) => {
    fibRuleHdr.write(w, hdr);
    fra.encode(w, attrs);
  };
}

/** 'rule.add priority 100 from 10.0.0.0/24 table 100', for error messages. */
function subject(op: string, spec: RuleSpec): string {
  const parts = Object.entries(spec)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return `rule.${op}${parts.length ? ' ' + parts.join(' ') : ''}`;
}

/** Policy rules (`ip rule`) of one handle's namespace: `h.rule`, or the module-level `rule`. */
export class RuleApi {
  constructor(private readonly h: Handle) {}

  /** `ip rule add [not] [from P] [to P] [fwmark M/M] [iif D] [oif D] [priority N] [table T | goto N | ACTION]`. */
  async add(specOrRule: RuleSpec | Rule, opts?: CallOptions): Promise<void> {
    const signal = checkCallOptions(opts);
    // a listed Rule has a spec's fields (checked as one: an 'unspec' action is refused)
    const spec = specOrRule as RuleSpec;
    const body = ruleBody(spec, true);
    await this.h.engine.request(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, body, {
      subject: subject('add', spec),
      signal,
    });
  }

  /**
   * `ip rule del SELECTOR`: deletes the first rule matching every field given (e.g. just `priority`).
   * A spec selecting nothing (`{}`, only `family`, `from: 'all'`) is a TypeError, as `ip rule del`
   * without arguments is refused: the kernel would delete `0: from all lookup local`.
   */
  async del(specOrRule: RuleSpec | Rule, opts?: CallOptions): Promise<void> {
    const signal = checkCallOptions(opts);
    const spec = specOrRule as RuleSpec;
    const body = ruleBody(spec, false);
    await this.h.engine.request(RTM_DELRULE, 0, body, { subject: subject('del', spec), signal });
  }

  /**
   * `ip rule show [-4|-6] [priority P] [table T] [from P] [to P] [iif D] [oif D] [fwmark M[/M]] [tos T] [not]`:
   * both families unless `family` is given; the other fields filter as ip's do.
   */
  async list(filter: RuleFilter = {}, opts?: CallOptions): Promise<Rule[]> {
    const signal = checkCallOptions(opts);
    const match = ruleFilter(filter);
    // Strict dump checking: nothing in the header but the family, and no attributes.
    const rules = await this.h.engine.dump(
      RTM_GETRULE,
      (w) => fibRuleHdr.write(w, { family: match.family }),
      decodeRule,
      { subject: 'rule.list', signal },
    );
    return rules.filter(match.keeps);
  }
}

/** Every RuleFilter field. */
const FILTER_FIELDS: Record<keyof RuleFilter, true> = {
  family: true,
  table: true,
  priority: true,
  from: true,
  to: true,
  iif: true,
  oif: true,
  fwmark: true,
  fwmask: true,
  tos: true,
  not: true,
};
const FILTER_KEYS: ReadonlySet<string> = new Set(Object.keys(FILTER_FIELDS));

/**
 * Whether `cidr` (a rule's from / to, absent = all) lies inside prefix `p`, as ip/iprule.c's
 * filter_nlmsg asks: same family, at least as long, and the same leading bits.
 */
function inside(family: Family, cidr: string | undefined, p: { family: Family; addr: string; len: number }): boolean {
  if (family !== p.family) return false;
  const r = cidr === undefined ? undefined : parsePrefix(cidr);
  if ((r?.prefixlen ?? 0) < p.len) return false;
  if (!r || p.len === 0) return true;
  const want = parseIP(p.addr)!.bytes;
  const full = p.len >> 3;
  if (!r.bytes.subarray(0, full).equals(want.subarray(0, full))) return false;
  const rest = p.len & 7;
  const m = (0xff << (8 - rest)) & 0xff;
  return rest === 0 || (r.bytes[full]! & m) === (want[full]! & m);
}

/** Checks a RuleFilter as ip/iprule.c's iprule_list_flush_or_save parses it: the dump family and a predicate. */
function ruleFilter(filter: RuleFilter): { family: number; keeps: (r: Rule) => boolean } {
  const f = checkObject(filter, 'filter');
  checkKnownFields(f, FILTER_KEYS, 'rule filter');
  let family = AF_UNSPEC;
  if (f['family'] !== undefined) {
    if (f['family'] !== 4 && f['family'] !== 6)
      throw new TypeError(`Expected "family" to be 4 or 6, got ${describe(f['family'])}`);
    family = f['family'] === 4 ? AF_INET : AF_INET6;
  }
  const table = f['table'] === undefined ? undefined : tableId(f['table']);
  const priority = f['priority'] === undefined ? undefined : checkInt(f['priority'], 'priority', 0, 0xffffffff);
  const from = f['from'] === undefined ? undefined : prefix(f['from'], 'from');
  const to = f['to'] === undefined ? undefined : prefix(f['to'], 'to');
  const iif = f['iif'] === undefined ? undefined : checkIfName(f['iif'], 'iif');
  const oif = f['oif'] === undefined ? undefined : checkIfName(f['oif'], 'oif');
  const mark = f['fwmark'] === undefined ? undefined : fwmark(f['fwmark']);
  let mask = mark?.mask;
  if (f['fwmask'] !== undefined) {
    if (mask !== undefined) throw new TypeError('Expected "fwmask" only when "fwmark" holds no /MASK');
    mask = checkInt(f['fwmask'], 'fwmask', 0, 0xffffffff);
  }
  const tos = f['tos'] === undefined ? undefined : checkInt(f['tos'], 'tos', 0, 255);
  const not = f['not'] === undefined ? undefined : checkBool(f['not'], 'not');
  const fam = f['family'];
  const keeps = (r: Rule): boolean =>
    (fam === undefined || r.family === fam) &&
    (table === undefined || (r.table ?? 0) === table) &&
    (priority === undefined || r.priority === priority) &&
    (from === undefined || inside(r.family, r.from, from)) &&
    (to === undefined || inside(r.family, r.to, to)) &&
    (iif === undefined || r.iif === iif) &&
    (oif === undefined || r.oif === oif) &&
    (mark === undefined || (r.fwmark ?? 0) === mark.mark) &&
    (mask === undefined || (r.fwmask ?? 0) === mask) &&
    (tos === undefined || (r.tos ?? 0) === tos) &&
    (not === undefined || (r.not ?? false) === not);
  return { family, keeps };
}

/** @internal for codec tests: the request body of rule.add (or rule.del with add = false). */
export function encodeRuleRequest(w: NlWriter, spec: RuleSpec, add = true): void {
  ruleBody(spec, add)(w);
}
