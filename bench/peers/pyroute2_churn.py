#!/usr/bin/env python3
"""The route-churn driver for pyroute2 (Debian's python3-pyroute2), run by bench/route-churn.ts
inside the bench namespace (`ip netns exec NS python3 ...`). Same arguments and line protocol
as bench/peers/common.ts: "phase NAME" lines, then "result {json}".

  --mode loop:  IPRoute.route('add'|'replace'|'del', ...) once per route (each waits for its ACK).
  --mode batch: IPBatch compiles 1,000 requests (NLM_F_ACK on each) into one buffer, IPRoute.sendto
                sends it, and the ACKs are drained and counted by header (pyroute2 offers no
                batch ACK matching, so this is the cheapest correct use of IPBatch).
The dump is IPRoute.route('dump', family=AF_INET) in both modes.
"""
import json
import resource
import socket
import struct
import sys
import time

NLMSG_ERROR = 2
CHUNK = 1000
TABLE_MAIN = 254


def status_kb(field):
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


peak_kb = 0


def reset_peak():
    global peak_kb
    peak_kb = max(peak_kb, status_kb('VmHWM') or 0)
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass


def dst(i):
    return '10.%d.%d.%d/32' % ((i >> 16) & 255, (i >> 8) & 255, i & 255)


def args():
    o = {}
    argv = sys.argv[1:]
    for k, v in zip(argv[::2], argv[1::2]):
        o[k.lstrip('-')] = v
    return o


def main():
    a = args()
    n = int(a['n'])
    mode = a.get('mode', 'loop')
    try:
        from pyroute2 import IPRoute, IPBatch
    except ImportError as e:
        print('skip pyroute2 is not installed (%s)' % e, flush=True)
        return 0
    ipr = IPRoute()
    idx = ipr.link_lookup(ifname=a.get('dev', 'veth0'))[0]
    gw, gw2 = a.get('gw', '192.168.0.2'), a.get('gw2', '192.168.0.3')
    out = {'phases': {}, 'baselineKb': status_kb('VmRSS')}

    def phase(name, fn):
        print('phase ' + name, flush=True)
        reset_peak()
        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        ok, errors, first = fn()
        ms = (time.perf_counter() - t0) * 1e3
        ru = resource.getrusage(resource.RUSAGE_SELF)
        r = {'ms': ms, 'count': ok, 'errors': errors, 'peakKb': status_kb('VmHWM'),
             'userMs': (ru.ru_utime - ru0.ru_utime) * 1e3, 'sysMs': (ru.ru_stime - ru0.ru_stime) * 1e3}
        if first:
            r['firstError'] = first[:300]
        out['phases'][name] = r

    def loop(cmd, **kw):
        ok, errors, first = 0, 0, None
        for i in range(n):
            try:
                ipr.route(cmd, dst=dst(i), **kw)
                ok += 1
            except Exception as e:  # NetlinkError and friends: counted, never fatal
                errors += 1
                first = first or repr(e)
        return ok, errors, first

    def drain(want):
        got, errors, first = 0, 0, None
        while got < want:
            buf = ipr.recv(1 << 20)
            off = 0
            while off + 16 <= len(buf):
                length, typ = struct.unpack_from('=IH', buf, off)
                if typ == NLMSG_ERROR:
                    got += 1
                    err = struct.unpack_from('=i', buf, off + 16)[0]
                    if err:
                        errors += 1
                        first = first or ('errno %d' % -err)
                off += (length + 3) & ~3
        return got - errors, errors, first

    def batch(cmd, **kw):
        ipb = IPBatch()
        ok, errors, first = 0, 0, None
        for start in range(0, n, CHUNK):
            k = min(CHUNK, n - start)
            for i in range(start, start + k):
                ipb.route(cmd, dst=dst(i), **kw)
            data = ipb.batch
            ipb.reset()
            ipr.sendto(data, (0, 0))
            o, e, f = drain(k)
            ok, errors, first = ok + o, errors + e, first or f
        return ok, errors, first

    def dump():
        ours = 0
        for r in ipr.route('dump', family=socket.AF_INET):
            if r.get_attr('RTA_TABLE') == TABLE_MAIN and r['dst_len'] == 32:
                d = r.get_attr('RTA_DST')
                if d and d.startswith('10.'):
                    ours += 1
        return ours, 0, None

    churn = batch if mode == 'batch' else loop
    phase('add', lambda: churn('add', gateway=gw, oif=idx))
    phase('dump', dump)
    phase('replace', lambda: churn('replace', gateway=gw2, oif=idx))
    phase('delete', lambda: churn('del'))
    ipr.close()
    out['vmHwmKb'] = max(peak_kb, status_kb('VmHWM') or 0)
    print('result ' + json.dumps(out), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
