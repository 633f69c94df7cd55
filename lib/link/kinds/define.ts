// The table-driven codec of IFLA_INFO_DATA: one row per field, `field: [IFLA_<KIND>_*, word]`,
// compiled once. Beside core/schema.ts's AttrSchema it understands the few things link kinds do
// with attributes: an address whose family picks one of two attributes (IFLA_VXLAN_GROUP /
// GROUP6), two fields sharing one attribute by its value (a multicast `group` and a unicast
// `remote`), flags packed with a mask into one attribute (IFLA_VLAN_FLAGS), and fields that are
// reported only. The words themselves live in ../words.ts; a kind file is only a table.
import { forEachAttr, rd16, rd32, type NlWriter } from '../../core/attr.js';
import { DecodeError } from '../../core/errors.js';
import { AttrSchema, describe, type Codec, type Decoded, type Rows, type UnknownAttr } from '../../core/schema.js';

/** A codec word with the extra powers a kind table may use (see ../words.ts). */
export interface KindCodec<T> extends Codec<T> {
  /** Also read from these attribute numbers (an address's IPv6 twin). */
  readonly alsoReads?: readonly number[];
  /** For rows sharing an attribute: whether this row owns the value as it came. */
  claims?(b: Buffer, off: number, len: number): boolean;
  /** One bit of a flags attribute shared by several boolean rows: `{ u32 flags; u32 mask; }` or a bare u16. */
  readonly bit?: number;
  /** How the shared flags attribute is laid out: `{ u32 flags; u32 mask; }` (the default) or a bare u16. */
  readonly bitLayout?: 'flags+mask' | 'u16';
  /** Reported by the kernel, never sent: add and set leave it out. */
  readonly readOnly?: boolean;
  /** Names a link (a name or an index): resolved to an ifindex before encoding. */
  readonly linkRef?: boolean;
  /** The kernel's value for a new link: link.add leaves this value out (kernels without the feature refuse the attribute). */
  readonly createDefault?: T;
  /**
   * This value is left out where the field `beside` is given too (add and set): the kernel would
   * ignore that field beside this one, and the other field alone means this value as well.
   */
  readonly omitBeside?: {
    /** The value left out. */
    readonly value: T;
    /** The field whose presence leaves it out. */
    readonly beside: string;
  };
}

/** One row per field of T: the attribute number and the word. Every field needs a row. */
export type KindRows<T> = {
  readonly [K in keyof T]-?: readonly [type: number, codec: KindCodec<Exclude<T[K], undefined>>];
};

/** One compiled row of a kind table. */
export interface KindRow {
  /** The field name. */
  readonly key: string;
  /** The IFLA_<KIND>_* attribute number. */
  readonly type: number;
  /** The word that writes and reads it. */
  readonly codec: KindCodec<unknown>;
}

/**
 * A compiled kind table: encodes a spec's kind fields, decodes IFLA_INFO_DATA back to them. It is
 * an AttrSchema (generic tools that walk schemas take it), with its own encode and decode.
 */
export class KindSchema<T> extends AttrSchema<T> {
  declare readonly rows: readonly KindRow[];
  private readonly byAttr = new Map<number, KindRow[]>();

  /** `pad`: the table's padding attribute (see AttrSchema.padded). */
  constructor(name: string, rows: KindRows<T>, pad?: number) {
    const list = Object.entries(rows as Record<string, readonly [number, KindCodec<unknown>]>).map(
      ([key, [type, codec]]) => ({ key, type, codec }),
    );
    const firsts = list.filter((r, i) => list.findIndex((x) => x.type === r.type) === i);
    super(name, Object.fromEntries(firsts.map((r) => [r.key, [r.type, r.codec]])) as unknown as Rows<T>);
    (this as { rows: readonly KindRow[] }).rows = list;
    for (const r of list) {
      for (const t of [r.type, ...(r.codec.alsoReads ?? [])]) {
        const same = this.byAttr.get(t) ?? [];
        if (same.length && same[0]!.codec.bit === undefined && !same[0]!.codec.claims) {
          throw new Error(`kind table ${name}: attribute ${t} has two rows without a way to tell them apart`);
        }
        same.push(r);
        this.byAttr.set(t, same);
      }
    }
    if (pad !== undefined) this.padded(pad);
  }

  /** The names of every field (read-only ones included). */
  get keys(): string[] {
    return this.rows.map((r) => r.key);
  }

  /** The row of a field. */
  override row(key: string): KindRow | undefined {
    return this.rows.find((r) => r.key === key);
  }

  /** The field an attribute number decodes to (the first, where rows share it). */
  override fieldOf(type: number): string | undefined {
    return this.byAttr.get(type)?.[0]?.key;
  }

  /** Writes the present, writable fields in table order, then any kept unknown attributes. */
  override encode(w: NlWriter, v: Decoded<T>, prefix = ''): void {
    const obj = v as Record<string, unknown>;
    const owner = new Map<number, string>();
    for (const r of this.rows) {
      const x = obj[r.key];
      if (x === undefined || r.codec.readOnly) continue;
      const omit = r.codec.omitBeside;
      if (omit && x === omit.value && obj[omit.beside] !== undefined) continue;
      const field = prefix + r.key;
      const prev = owner.get(r.type);
      if (r.codec.bit !== undefined) {
        if (typeof x !== 'boolean') throw new TypeError(`Expected "${field}" to be a boolean, got ${describe(x)}`);
        if (prev === undefined) this.put(w, this.packBits(obj, r.type), this.bitFields(obj, r.type, prefix));
        owner.set(r.type, field);
        continue;
      }
      if (prev !== undefined) throw new TypeError(`Expected only one of "${prev}" and "${field}"`);
      owner.set(r.type, field);
      this.put(w, (ww) => r.codec.put(ww, r.type, x, field), field);
    }
    if (v.unknown) for (const u of v.unknown) w.attrBytes(u.type, u.data);
  }

  /** Runs one attribute's writer, recording which field wrote it (for extack offsets). */
  private put(w: NlWriter, write: (w: NlWriter) => void, field: string): void {
    const start = w.pos;
    write(w);
    if (w.trace) w.trace.push({ start, end: w.pos, field });
  }

  /** The writer of the `{ flags, mask }` attribute holding every bit row of `type` present in obj. */
  private packBits(obj: Record<string, unknown>, type: number): (w: NlWriter) => void {
    let flags = 0;
    let mask = 0;
    const rows = this.byAttr.get(type) ?? [];
    for (const r of rows) {
      const x = obj[r.key];
      if (x === undefined || r.codec.bit === undefined) continue;
      mask |= r.codec.bit;
      if (x === true) flags |= r.codec.bit;
    }
    if (rows[0]?.codec.bitLayout === 'u16') return (w) => w.attrU16(type, flags);
    return (w) => {
      const s = w.beginAttr(type);
      w.u32(flags >>> 0);
      w.u32(mask >>> 0);
      w.endAttr(s);
    };
  }

  private bitFields(obj: Record<string, unknown>, type: number, prefix: string): string {
    return (this.byAttr.get(type) ?? [])
      .filter((r) => obj[r.key] !== undefined)
      .map((r) => prefix + r.key)
      .join(', ');
  }

  /** Decodes the attributes in b[off, end). Unknown attribute numbers are kept, not dropped. */
  override decode(b: Buffer, off: number, end: number, path: readonly string[] = []): Decoded<T> {
    const out: Record<string, unknown> = {};
    let unknown: UnknownAttr[] | undefined;
    forEachAttr(
      b,
      off,
      end,
      (type, o, len) => {
        const rows = this.byAttr.get(type);
        if (!rows) {
          if (type === this.pad) return;
          (unknown ??= []).push({ type, data: Buffer.from(b.subarray(o, o + len)) });
          return;
        }
        if (rows[0]!.codec.bit !== undefined) {
          this.unpackBits(rows, b, o, len, out, path);
          return;
        }
        const r = rows.find((x) => !x.codec.claims || x.codec.claims(b, o, len)) ?? rows[0]!;
        out[r.key] = r.codec.get(b, o, len, [...path, r.key]);
      },
      path,
    );
    if (unknown) out['unknown'] = unknown;
    return out as Decoded<T>;
  }

  private unpackBits(
    rows: KindRow[],
    b: Buffer,
    o: number,
    len: number,
    out: Record<string, unknown>,
    path: readonly string[],
  ): void {
    const u16 = rows[0]!.codec.bitLayout === 'u16';
    if (len < (u16 ? 2 : 8))
      throw new DecodeError(`${u16 ? 'u16 flags' : '{flags, mask}'} needs ${u16 ? 2 : 8} bytes, has ${len}`, o, path);
    const flags = u16 ? rd16(b, o) : rd32(b, o);
    const mask = u16 ? 0xffff : rd32(b, o + 4);
    for (const r of rows) {
      const bit = r.codec.bit!;
      if ((mask & bit) !== 0) out[r.key] = (flags & bit) !== 0;
    }
  }
}

/** How a link type is made and read. A kind file exports one of these, made by defineKind. */
export interface KindDef {
  /** The public `type`, e.g. 'macvtap'. */
  readonly type: string;
  /** The IFLA_INFO_KIND string, e.g. 'macvtap' ('tun' for tap devices). */
  readonly kind: string;
  /** The IFLA_INFO_DATA table, if the kind has data. */
  readonly data?: KindSchema<unknown>;
  /** Fields a spec must give (`link` is the parent link, a common attribute). */
  readonly required: readonly string[];
  /** Fields link.set may change (besides the common ones). */
  readonly changeable: readonly string[];
  /** 'tun': made through /dev/net/tun, not RTM_NEWLINK. */
  readonly via: 'netlink' | 'tun';
  /** Ports must be down to be enslaved (bond, team). */
  readonly portsDown: boolean;
  /**
   * Fields link.add leaves out of a read link's and refuses in a spec written by hand: state that
   * needs ports, which a new link has none of (a bond's `activeSlave`).
   */
  readonly notOnAdd?: readonly string[];
  /** A character device /dev/tap<ifindex> comes with the link (macvtap, ipvtap). */
  readonly tapDevice: boolean;
  /**
   * Other names add and set take for a field (API.md's ipvlan `flags` → `ipvlanFlags`); on add, an
   * array under such a name is a read Link's field of that name (IFF_* flags) and is ignored.
   */
  readonly aliases?: Readonly<Record<string, string>>;
  /**
   * Fields link.add fills in when another is given without them: [field, given, value] (a source
   * macvlan's MAC list needs `macaddrMode: 'set'`, which a read Link does not report).
   */
  readonly createImplies?: readonly (readonly [field: string, given: string, value: unknown])[];
  /**
   * What a read reports for fields whose attribute the kernel leaves out of IFLA_INFO_DATA when
   * they hold these values (a vlan's IFLA_VLAN_FLAGS, sent only while a flag is on), so that a
   * read says what the link is, and re-added makes a like link rather than one at the defaults.
   */
  readonly unreported?: Readonly<Record<string, unknown>>;
}

/** What defineKind takes besides the IFLA_INFO_DATA rows (the rules of KindDef). */
export interface KindOptions<T> {
  /** The package's name of the kind (LinkSpec `type`). */
  type: string;
  /** The kernel's IFLA_INFO_KIND, where it differs from `type`. */
  kind?: string;
  /** Fields a creation must give (`link`: the parent). */
  required?: readonly (keyof T | 'link')[];
  /** Fields set may change; default: every writable field except the required ones. */
  changeable?: readonly (keyof T)[];
  /** How links of the kind are made: RTM_NEWLINK (default) or /dev/net/tun. */
  via?: 'netlink' | 'tun';
  /** Ports must be down to be enslaved (bond, team). */
  portsDown?: boolean;
  /** Links come with a /dev/tap<ifindex> character device (macvtap, ipvtap). */
  tapDevice?: boolean;
  /** Other names for fields (see KindDef.aliases). */
  aliases?: Readonly<Record<string, keyof T & string>>;
  /** The IFLA_INFO_DATA table's padding attribute (IFLA_BR_PAD; see AttrSchema.padded). */
  pad?: number;
  /** See KindDef.notOnAdd. */
  notOnAdd?: readonly (keyof T & string)[];
  /** See KindDef.createImplies. */
  createImplies?: readonly (readonly [field: keyof T & string, given: keyof T & string, value: unknown])[];
  /** See KindDef.unreported. */
  unreported?: Partial<Record<keyof T & string, unknown>>;
}

/** A kind: its names, its rules and its IFLA_INFO_DATA table (checked against T by the compiler). */
export function defineKind<T>(opts: KindOptions<T>, rows?: KindRows<T>): KindDef {
  const data = rows ? (new KindSchema<T>(opts.kind ?? opts.type, rows, opts.pad) as KindSchema<unknown>) : undefined;
  const required = (opts.required ?? []) as readonly string[];
  const writable = data ? data.rows.filter((r) => !r.codec.readOnly).map((r) => r.key) : [];
  const def: KindDef = {
    type: opts.type,
    kind: opts.kind ?? opts.type,
    required,
    changeable: (opts.changeable as readonly string[] | undefined) ?? writable.filter((k) => !required.includes(k)),
    via: opts.via ?? 'netlink',
    portsDown: opts.portsDown ?? false,
    tapDevice: opts.tapDevice ?? false,
  };
  const aliased = opts.aliases ? { ...def, aliases: opts.aliases } : def;
  const implied = opts.createImplies ? { ...aliased, createImplies: opts.createImplies } : aliased;
  const named = opts.notOnAdd ? { ...implied, notOnAdd: opts.notOnAdd as readonly string[] } : implied;
  const unreported = opts.unreported ? { ...named, unreported: opts.unreported } : named;
  return data ? { ...unreported, data } : unreported;
}

/**
 * How a link's options as a port of a master are read and written: IFLA_INFO_SLAVE_DATA, whose
 * meaning depends on the master's kind (IFLA_INFO_SLAVE_KIND), decoded into one field of the Link.
 */
export interface PortDef {
  /** The master's IFLA_INFO_SLAVE_KIND, e.g. 'bridge'. */
  readonly slaveKind: string;
  /** The Link field holding the port's options, e.g. 'bridgePort'. */
  readonly field: string;
  /** The IFLA_INFO_SLAVE_DATA table. */
  readonly data: KindSchema<unknown>;
  /** Fields link.set may change: every writable row. */
  readonly changeable: readonly string[];
  /** Fields link.add leaves out of a read port (runtime state the kernel manages). */
  readonly notOnAdd: readonly string[];
  /** Other names set takes for a field (iproute2's `mcast_fast_leave` for `fastleave`). */
  readonly aliases: Readonly<Record<string, string>>;
}

export interface PortOptions<T> {
  slaveKind: string;
  field: string;
  /** See PortDef.notOnAdd. */
  notOnAdd?: readonly (keyof T & string)[];
  /** See PortDef.aliases. */
  aliases?: Readonly<Record<string, keyof T & string>>;
  /** The table's padding attribute (IFLA_BRPORT_PAD; see AttrSchema.padded). */
  pad?: number;
}

/** A port table: IFLA_INFO_SLAVE_DATA for one master kind (checked against T by the compiler). */
export function definePort<T>(opts: PortOptions<T>, rows: KindRows<T>): PortDef {
  const data = new KindSchema<T>(`${opts.slaveKind}_slave`, rows, opts.pad) as KindSchema<unknown>;
  return {
    slaveKind: opts.slaveKind,
    field: opts.field,
    data,
    changeable: data.rows.filter((r) => !r.codec.readOnly).map((r) => r.key),
    notOnAdd: opts.notOnAdd ?? [],
    aliases: opts.aliases ?? {},
  };
}
