// Guests on the LAN without a bridge: a macvlan gives a container its own MAC on the parent NIC, a
// macvtap gives a VM one — and the VM opens the macvtap's character device, /dev/tap<ifindex>,
// which link.add reports as `tapDevice`. A veth end stands in for the NIC inside a "host"
// namespace, so nothing outside the namespaces made here is touched; they are removed at the end.
//
//   <prefix>-host: nic0 (veth, up) ─┬─ macvtap vm0 (mode bridge) → /dev/tapN for the VM
//                                   └─ macvlan → eth0 in <prefix>-ctr (mode bridge)
//
// Run as root:  node --import=@tapjs/typescript/import examples/macvlan-macvtap.ts
//   (or npm run build:ts, then node dist/examples/macvlan-macvtap.js)
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { netns, open, type Handle, type Link, type MacvtapLink } from '../lib/index.js';

export interface Options {
  /** Namespace name prefix (default 'rtnl-ex'). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface Result {
  nic: Link;
  vm: MacvtapLink;
  /** The tap device's major:minor, as the VM's hypervisor would open it. */
  tapDevt: [number, number] | undefined;
  container: Link;
}

export async function main({ prefix = 'rtnl-ex', log = console.log }: Options = {}): Promise<Result> {
  const hostNs = `${prefix}-host`;
  const ctrNs = `${prefix}-ctr`;
  const made: string[] = [];
  const handles: Handle[] = [];
  try {
    for (const n of [hostNs, ctrNs]) {
      await netns.add(n);
      made.push(n);
    }
    const host = open({ netns: hostNs });
    handles.push(host);
    const nic = await host.link.add({ type: 'veth', name: 'nic0', peer: { name: 'wire0' }, up: true });
    await host.link.set('wire0', { up: true });

    // the VM: a macvtap on the NIC; the hypervisor opens vm.tapDevice
    const vm = await host.link.add({
      type: 'macvtap',
      name: 'vm0',
      link: 'nic0',
      mode: 'bridge',
      address: '52:54:00:12:34:56',
      up: true,
    });
    if (vm.type !== 'macvtap') throw new Error(`expected a macvtap, got ${vm.type}`);
    // absent where /dev/tap<ifindex> is another namespace's macvtap of that index: a warning
    // (RTNETLINK_TAPDEV) then gives this one's major:minor, to make a node where the VM runs
    let tapDevt: [number, number] | undefined;
    if (vm.tapDevice !== undefined) {
      const { rdev } = statSync(vm.tapDevice);
      tapDevt = [(rdev >>> 8) & 0xfff, (rdev & 0xff) | ((rdev >>> 12) & 0xfff00)];
    }
    log(
      `${hostNs}: ${vm.name} on ${nic.name}, mode ${vm.mode}, MAC ${vm.address}: the VM opens ${vm.tapDevice && tapDevt ? `${vm.tapDevice} (${tapDevt.join(':')})` : 'a node made from the warning’s major:minor'}`,
    );

    // the container: a macvlan made on the host's NIC and placed straight into its namespace as eth0
    await host.link.add({ type: 'macvlan', name: 'eth0', link: 'nic0', mode: 'bridge', netns: ctrNs });
    const ctr = open({ netns: ctrNs });
    handles.push(ctr);
    const container = await ctr.link.set('eth0', { up: true });
    log(
      `${ctrNs}: ${container.name} ${container.address} (parent index ${container.link} in another namespace, id ${container.linkNetnsId})`,
    );

    // modes change in place: the VM's macvtap to vepa (traffic between guests goes via the switch)
    const vepa = await host.link.set('vm0', { mode: 'vepa' });
    log(`${hostNs}: ${vepa.name} now mode ${vepa.type === 'macvtap' ? vepa.mode : '?'}`);
    return { nic, vm: vepa as MacvtapLink, tapDevt, container };
  } finally {
    for (const h of handles) h.close();
    for (const n of made.reverse()) await netns.del(n);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
