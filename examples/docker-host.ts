// Docker's `host` network driver, shown by hand: a container started with host networking is a
// process that simply stays in the host's network namespace, so it sees the host's links,
// addresses and routes as they are. Here a child process stands in for the container; a handle
// opened on its namespace (/proc/PID/ns/net) lists the same links as the caller's own. Nothing
// is created or changed: this example only reads.
//
// The same with iproute2:
//   sleep 30 &  readlink /proc/$!/ns/net /proc/self/ns/net   # the same namespace
//   nsenter --net=/proc/$!/ns/net ip link show               # the host's links
//
// Run as root:  node --import=@tapjs/typescript/import examples/docker-host.ts
//   (or npm run build:ts, then node dist/examples/docker-host.js)
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { link, open, type Handle } from '../lib/index.js';

export interface Options {
  log?: (line: string) => void;
}

export interface Result {
  /** Whether the "container" is in the caller's network namespace (same inode of ns/net). */
  sameNamespace: boolean;
  /** Link names as the caller sees them, and as the "container" sees them. */
  hostLinks: string[];
  containerLinks: string[];
}

export async function main({ log = console.log }: Options = {}): Promise<Result> {
  // The "container": any process started without a network namespace of its own.
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  let h: Handle | undefined;
  try {
    await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
    const path = `/proc/${child.pid}/ns/net`;
    const sameNamespace = statSync(path).ino === statSync('/proc/self/ns/net').ino;
    log(`container (pid ${child.pid}) ${sameNamespace ? 'shares' : 'does not share'} the host's network namespace`);

    h = open({ netnsPath: path }); // a handle on whatever namespace that process is in
    const containerLinks = (await h.link.list()).map((l) => `${l.index}: ${l.name}`);
    const hostLinks = (await link.list()).map((l) => `${l.index}: ${l.name}`);
    log(`host sees:      ${hostLinks.join(', ')}`);
    log(`container sees: ${containerLinks.join(', ')}`);
    return { sameNamespace, hostLinks, containerLinks };
  } finally {
    h?.close();
    child.kill();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
