// The public data model of a bridge's per-port VLANs (≈ `bridge vlan`): struct bridge_vlan_info
// of <linux/if_bridge.h> in PF_BRIDGE link messages. API.md is silent on bridge VLANs; see
// docs/contract-notes.md.

/** What `bridgeVlan.add` / `bridgeVlan.del` take: `bridge vlan { add | del } dev DEV vid VID[-END] …`. */
export interface BridgeVlanSpec {
  /** The bridge port (or, with `self`, the bridge itself), by name or ifindex. */
  dev: string | number;
  /** The VLAN id, 1..4094 (the first of a range with `vidEnd`). */
  vid: number;
  /**
   * The last VLAN id of a range `vid`..`vidEnd` (`vid 10-20`), greater than `vid`; sent as two
   * entries flagged BRIDGE_VLAN_INFO_RANGE_BEGIN / _RANGE_END, as iproute2 does.
   */
  vidEnd?: number | undefined;
  /** BRIDGE_VLAN_INFO_PVID: untagged ingress is classified into this VLAN (not with a range). */
  pvid?: boolean | undefined;
  /** BRIDGE_VLAN_INFO_UNTAGGED: frames of this VLAN leave the port untagged. */
  untagged?: boolean | undefined;
  /**
   * BRIDGE_FLAGS_SELF: the device's own VLAN table — the bridge's own entry when `dev` is the
   * bridge (`bridge vlan add dev br0 vid 10 self`), or a port driver's (switchdev).
   */
  self?: boolean | undefined;
  /** BRIDGE_FLAGS_MASTER: the master bridge's table of the port (the kernel's default without flags). */
  master?: boolean | undefined;
}

/**
 * One VLAN (or, from `list({ compress: true })`, one range of VLANs sharing the same flags) of one
 * bridge port or bridge, as `bridge vlan show` prints it.
 */
export interface BridgeVlan {
  /** The port's (or bridge's) name. */
  dev: string;
  /** The port's (or bridge's) ifindex. */
  index: number;
  /** The VLAN id (the first of a range). */
  vid: number;
  /** The last VLAN id of a range (only from a compressed list). */
  vidEnd?: number;
  /** Whether this is the port's PVID (untagged ingress goes to it). */
  pvid: boolean;
  /** Whether frames of this VLAN leave the port untagged ("Egress Untagged"). */
  untagged: boolean;
  /**
   * The bridge the port belongs to (IFLA_MASTER), by name; on the bridge's own entries it is the
   * bridge itself, which is how `del` of such an entry knows to send `self`.
   */
  master?: string;
}

/** What `bridgeVlan.list` takes. */
export interface BridgeVlanFilter {
  /** Only this port's (or bridge's) VLANs (`bridge vlan show dev DEV`). */
  dev?: string | number | undefined;
  /** Only entries holding this VLAN id (`bridge vlan show vid VID`), 1..4094. */
  vid?: number | undefined;
  /**
   * Ask the kernel for ranges (RTEXT_FILTER_BRVLAN_COMPRESSED, `bridge -compressvlans vlan show`):
   * consecutive VLANs with the same flags come back as one entry with `vidEnd`. Default false,
   * as `bridge vlan show` (RTEXT_FILTER_BRVLAN): one entry per VLAN.
   */
  compress?: boolean | undefined;
}
