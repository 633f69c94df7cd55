// The process warnings lib/tun.ts emits about a macvtap/ipvtap link's /dev/tap<ifindex> node.
import type { Test } from 'tap';

/** Collects the RTNETLINK_TAPDEV warnings emitted during the test. */
export function tapWarnings(t: Test): string[] {
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }): void => {
    if (w.code === 'RTNETLINK_TAPDEV') warnings.push(w.message);
  };
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  return warnings;
}
