// A VRF port's data (IFLA_INFO_SLAVE_DATA of a link whose master is a VRF: IFLA_VRF_PORT_*,
// <linux/if_link.h>), as `ip -d -j link show` reports it under `info_slave_data`
// (ip/iplink_vrf.c). The kernel reports it and takes none of it back: a port's table is its
// VRF's, and changes with `master`.

/** A VRF port as a read reports it (`vrf_slave table N`). */
export interface VrfPort {
  /** `table`: the routing table of the port's VRF (IFLA_VRF_PORT_TABLE). */
  table?: number;
  /** IFLA_VRF_PORT_* attributes this package does not model, as they came. */
  unknown?: {
    /** The attribute's type number (IFLA_VRF_PORT_*). */
    type: number;
    /** Its payload, as it came. */
    data: Buffer;
  }[];
}
