// A VM on the LAN through an ipvtap: the ipvlan twin of macvtap (see macvlan-macvtap.ts). The
// guest shares the NIC's MAC address and is told apart by its IP address; the hypervisor opens
// the link's character device, /dev/tap<ifindex>, which link.add reports as `tapDevice`
// (QEMU: -netdev tap,fd=N,vhost=on with N open on that file). A veth end stands in for the NIC
// inside a "host" namespace, so nothing outside it is touched; it is removed at the end, also
// when a step fails.
//
//   <prefix>-host: nic0 (veth, up) ── ipvtap vm0 (mode l2) → /dev/tapN for the VM
//
// The same with iproute2:
//   ip -n P-host link add link nic0 name vm0 up type ipvtap mode l2
//   ip -n P-host -d link show vm0; ls -l /dev/tap$(cat /sys/class/net/vm0/ifindex)
//
// Needs the kernel's `ipvtap` driver; without it the example says so and exits 0.
//
// Run as root:  node --import=@tapjs/typescript/import examples/ipvtap.ts
//   (or npm run build:ts, then node dist/examples/ipvtap.js)
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { NetlinkError, netns, open, type Handle, type IpvtapLink, type Link } from '../lib/index.js';

export interface Options {
  /** Namespace name prefix (default 'rtnl-ex-ipvtap'). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface Result {
  nic: Link;
  vm: IpvtapLink;
  /** The tap device's major:minor, as the hypervisor would open it. */
  tapDevt: [number, number] | undefined;
}

export async function main({ prefix = 'rtnl-ex-ipvtap', log = console.log }: Options = {}): Promise<Result> {
  const ns = `${prefix}-host`;
  let made = false;
  let h: Handle | undefined;
  try {
    await netns.add(ns);
    made = true;
    h = open({ netns: ns });
    const nic = await h.link.add({ type: 'veth', name: 'nic0', up: true, peer: { name: 'wire0' } });
    await h.link.set('wire0', { up: true });

    const vm = await h.link.add({ type: 'ipvtap', name: 'vm0', link: 'nic0', mode: 'l2', up: true });
    if (vm.type !== 'ipvtap') throw new Error(`expected an ipvtap, got ${vm.type}`);
    // absent where /dev/tap<ifindex> is another namespace's macvtap/ipvtap of that index: a warning
    // (RTNETLINK_TAPDEV) then gives this one's major:minor, to make a node where the VM runs
    let tapDevt: [number, number] | undefined;
    if (vm.tapDevice !== undefined) {
      // new_encode_dev(): minor's low byte, major, then minor's high bits
      const { rdev } = statSync(vm.tapDevice);
      tapDevt = [(rdev >>> 8) & 0xfff, (rdev & 0xff) | ((rdev >>> 12) & 0xfff00)];
    }
    log(
      `${ns}: ${vm.name} on ${nic.name}, mode ${vm.mode}, MAC ${vm.address} (the NIC's is ${nic.address}): the VM opens ${vm.tapDevice && tapDevt ? `${vm.tapDevice} (${tapDevt.join(':')})` : 'a node made from the warning’s major:minor'}`,
    );
    return { nic, vm, tapDevt };
  } finally {
    h?.close();
    if (made) await netns.del(ns);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    // A kernel without the driver: the error names it ("… this kernel has no 'ipvtap' driver").
    if (e instanceof NetlinkError && e.code === 'EOPNOTSUPP') console.log(`skipped: ${e.message}`);
    else {
      console.error(e);
      process.exitCode = 1;
    }
  });
}
