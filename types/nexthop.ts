// The public data model of nexthop objects (≈ `ip nexthop`). See ../shared/API.md.

/** One member of a nexthop group (struct nexthop_grp). */
export interface NexthopGroupMember {
  /** The member nexthop's id. */
  id: number;
  /** 1..65,536 (default 1); above 256 needs Linux 6.12 or later (nexthop_grp.weight_high). */
  weight?: number | undefined;
}

/** What nexthop.add / replace take (`ip nexthop add id ID …`). */
export interface NexthopSpec {
  /** 1..2^32-1 */
  id: number;
  /** Gateway address (NHA_GATEWAY); its family is the nexthop's. */
  via?: string | undefined;
  /** Device name or index (NHA_OIF). */
  dev?: string | number | undefined;
  /** RTNH_F_ONLINK: the gateway is on the link even without a matching prefix. */
  onlink?: boolean | undefined;
  /** Drop packets (NHA_BLACKHOLE). */
  blackhole?: boolean | undefined;
  /** A group of other nexthops (NHA_GROUP). */
  group?: NexthopGroupMember[] | undefined;
  /** 'mpath' (hash-threshold, the default) or 'resilient'. */
  groupType?: 'mpath' | 'resilient' | undefined;
  /** Resilient groups: number of buckets (NHA_RES_GROUP_BUCKETS). */
  buckets?: number | undefined;
  /** Resilient groups: bucket idle timer, seconds. */
  idleTimer?: number | undefined;
  /** Resilient groups: unbalanced timer, seconds. */
  unbalancedTimer?: number | undefined;
  /** The nexthop belongs to a bridge FDB (NHA_FDB). */
  fdb?: boolean | undefined;
  /** Route protocol (nh_protocol); default unspec, as ip. */
  protocol?: string | number | undefined;
  /** 4 or 6 where no address says it (a blackhole, a device-only nexthop); default 4 as ip. */
  family?: 4 | 6 | undefined;
}

/** What nexthop.list / get return. */
export interface Nexthop {
  /** The nexthop's id (NHA_ID). */
  id: number;
  /** 4 or 6; absent for groups (AF_UNSPEC). */
  family?: 4 | 6;
  /** The gateway (NHA_GATEWAY). */
  via?: string;
  /** The device's name (NHA_OIF). */
  dev?: string;
  /** The device's ifindex. */
  index?: number;
  /** RTNH_F_ONLINK is set. */
  onlink?: boolean;
  /** A blackhole nexthop (NHA_BLACKHOLE). */
  blackhole?: boolean;
  /** A group's members, each with its weight (NHA_GROUP). */
  group?: {
    /** The member nexthop's id. */
    id: number;
    /** Its weight, 1..65,536. */
    weight: number;
  }[];
  /** A group's type (NHA_GROUP_TYPE). */
  groupType?: 'mpath' | 'resilient';
  /** Resilient groups: number of buckets. */
  buckets?: number;
  /** Resilient groups: bucket idle timer, seconds. */
  idleTimer?: number;
  /** Resilient groups: unbalanced timer, seconds. */
  unbalancedTimer?: number;
  /** Resilient groups: seconds the group has been unbalanced. */
  unbalancedTime?: number;
  /** An FDB nexthop (NHA_FDB). */
  fdb?: boolean;
  /** Who installed it (nh_protocol), as a rt_protos name or a number. */
  protocol: string;
  /** The scope name ('global', 'link', 'host'). */
  scope: string;
  /** RTNH_F_* names other than onlink ('dead', 'linkdown', …). */
  flags?: string[];
  /** Attributes this package does not model, as they came. */
  unknown?: {
    /** The attribute type number (NHA_*). */
    type: number;
    /** Its payload. */
    data: Buffer;
  }[];
}

/**
 * What nexthop.list takes (`ip nexthop show [dev DEV] [groups] [master M] [fdb] [-4|-6]`); absent fields do
 * not filter.
 */
export interface NexthopFilter {
  /** Only nexthops using this device (NHA_OIF). */
  dev?: string | number | undefined;
  /** Only groups (NHA_GROUPS). */
  groups?: boolean | undefined;
  /** Only nexthops whose device has this master (NHA_MASTER). */
  master?: string | number | undefined;
  /** Only FDB nexthops (NHA_FDB). */
  fdb?: boolean | undefined;
  /** Only this family (groups are AF_UNSPEC and only listed without it). */
  family?: 4 | 6 | undefined;
}
