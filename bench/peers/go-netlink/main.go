// The route-churn driver for Go's github.com/vishvananda/netlink (Debian's
// golang-github-vishvananda-netlink-dev), built by bench/tools.ts with the system's Go in GOPATH
// mode (offline) and run inside the bench namespace (`ip netns exec NS ...`). Same arguments and
// line protocol as bench/peers/common.ts: "phase NAME" lines, then "result {json}".
//
// One netlink.Handle, as the table has it: RouteAdd / RouteReplace / RouteDel once per
// route (each call sends one request and waits for its ACK; the library has no batch), and
// RouteListFiltered for the dump (the library reads the whole dump, then decodes it into a slice).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

type phaseResult struct {
	Ms         float64 `json:"ms"`
	Count      int     `json:"count"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"firstError,omitempty"`
	PeakKb     int     `json:"peakKb,omitempty"`
	StartKb    int     `json:"startKb,omitempty"`
	UserMs     float64 `json:"userMs"`
	SysMs      float64 `json:"sysMs"`
}

type driverResult struct {
	Phases     map[string]phaseResult `json:"phases"`
	VmHwmKb    int                    `json:"vmHwmKb,omitempty"`
	BaselineKb int                    `json:"baselineKb,omitempty"`
}

// statusKb reads a field of /proc/self/status in kB (0 when absent).
func statusKb(field string) int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, field+":") {
			parts := strings.Fields(line)
			if len(parts) >= 2 {
				v, _ := strconv.Atoi(parts[1])
				return v
			}
		}
	}
	return 0
}

var peakKb int

// resetPeak keeps the process's peak so far and restarts VmHWM, so each phase reports its own.
func resetPeak() {
	if v := statusKb("VmHWM"); v > peakKb {
		peakKb = v
	}
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func cpuMs() (float64, float64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	ms := func(t syscall.Timeval) float64 { return float64(t.Sec)*1e3 + float64(t.Usec)/1e3 }
	return ms(ru.Utime), ms(ru.Stime)
}

// dst is route i of the workload: the host route 10.x.y.z/32 (bench/peers/common.ts routeDst).
func dst(i int) *net.IPNet {
	return &net.IPNet{
		IP:   net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)).To4(),
		Mask: net.CIDRMask(32, 32),
	}
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "go-netlink driver: "+format+"\n", a...)
	os.Exit(1)
}

func main() {
	opts := map[string]string{"dev": "veth0", "gw": "192.168.0.2", "gw2": "192.168.0.3"}
	argv := os.Args[1:]
	for i := 0; i+1 < len(argv); i += 2 {
		if !strings.HasPrefix(argv[i], "--") {
			fail("bad argument %q", argv[i])
		}
		opts[argv[i][2:]] = argv[i+1]
	}
	n, err := strconv.Atoi(opts["n"])
	if err != nil || n <= 0 || n > 1<<24 {
		fail("--n must be an integer in 1..2^24, got %q", opts["n"])
	}
	gw, gw2 := net.ParseIP(opts["gw"]).To4(), net.ParseIP(opts["gw2"]).To4()
	if gw == nil || gw2 == nil {
		fail("--gw and --gw2 must be IPv4 addresses")
	}
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		fail("netlink.NewHandle: %v", err)
	}
	defer h.Delete()
	link, err := h.LinkByName(opts["dev"])
	if err != nil {
		fail("LinkByName(%s): %v", opts["dev"], err)
	}
	idx := link.Attrs().Index

	out := driverResult{Phases: map[string]phaseResult{}, BaselineKb: statusKb("VmRSS")}
	phase := func(name string, fn func() (int, int, string)) {
		fmt.Printf("phase %s\n", name)
		resetPeak()
		startKb := statusKb("VmRSS")
		u0, s0 := cpuMs()
		t0 := time.Now()
		ok, errors, first := fn()
		ms := float64(time.Since(t0).Nanoseconds()) / 1e6
		u1, s1 := cpuMs()
		if len(first) > 300 {
			first = first[:300]
		}
		out.Phases[name] = phaseResult{
			Ms: ms, Count: ok, Errors: errors, FirstError: first,
			PeakKb: statusKb("VmHWM"), StartKb: startKb, UserMs: u1 - u0, SysMs: s1 - s0,
		}
	}
	each := func(call func(*netlink.Route) error, via net.IP) (int, int, string) {
		ok, errors, first := 0, 0, ""
		for i := 0; i < n; i++ {
			r := &netlink.Route{Dst: dst(i)}
			if via != nil {
				r.Gw = via
				r.LinkIndex = idx
			}
			if err := call(r); err != nil {
				errors++
				if first == "" {
					first = err.Error()
				}
			} else {
				ok++
			}
		}
		return ok, errors, first
	}

	phase("add", func() (int, int, string) { return each(h.RouteAdd, gw) })
	phase("dump", func() (int, int, string) {
		// Every IPv4 route of every table (the local table adds a few), decoded; ours are counted.
		routes, err := h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return 0, 1, err.Error()
		}
		ours := 0
		for i := range routes {
			r := &routes[i]
			if r.Table == unix.RT_TABLE_MAIN && r.Dst != nil && r.Dst.IP.To4() != nil && r.Dst.IP.To4()[0] == 10 {
				if ones, bits := r.Dst.Mask.Size(); ones == 32 && bits == 32 {
					ours++
				}
			}
		}
		return ours, 0, ""
	})
	phase("replace", func() (int, int, string) { return each(h.RouteReplace, gw2) })
	phase("delete", func() (int, int, string) { return each(h.RouteDel, nil) })

	if v := statusKb("VmHWM"); v > peakKb {
		peakKb = v
	}
	out.VmHwmKb = peakKb
	b, err := json.Marshal(out)
	if err != nil {
		fail("json: %v", err)
	}
	fmt.Printf("result %s\n", b)
}
