#!/usr/bin/env bash
# Runs tap test files (or any command) inside User-mode Linux, on a kernel that has the link
# drivers this host may lack (dummy, bonding, 8021q, vrf, ipvlan, team, geneve, GRE, ...).
#
#   scripts/uml-test.sh [TAP ARGS | TEST FILES ...]   run node_modules/.bin/tap with these args
#   scripts/uml-test.sh --exec CMD [ARGS ...]          run CMD instead (e.g. node some-script.mjs)
#   scripts/uml-test.sh --compiled TEST.ts ...         compile these test files (and what they
#                                                      import) on the host into tmp/uml-js, then run
#                                                      each as a plain node script in the guest
#
# --compiled is what `npm run test:uml` uses: in the guest (one CPU) each tap process spends about
# 40 s compiling lib/ through tap's TypeScript loader; node on the compiled files starts in ~3 s.
# Its status is 1 if any file failed, and it ends with a line "uml-test: N of M files passed".
#
# Needs: root, Debian's user-mode-linux (linux.uml and its modules under /usr/lib/uml/modules/),
# kmod (modprobe), iproute2, node; the package built on the host first (npm run build / dist).
# Prints the guest's output (the command's, after a line of loaded modules) and exits with the
# command's status; 2 if the guest ended without reporting one (boot failure, panic, timeout).
#
# How: linux.uml boots with the host's root through hostfs, mounted READ-ONLY in the guest
# (`ro`); the guest then mounts tmpfs on /run and /tmp (so `ip netns add` in there never touches
# the host's /run/netns), mounts the repository read-write over itself (tap writes .tap/ there),
# and a per-run exchange folder /tmp/uml-test.XXXXXX (args in, status out) under /run. Nothing
# else on the host can be written from the guest. The modules are loaded with `modprobe -d`
# from a tmpfs tree that links /usr/lib/uml/modules/<ver> (the host's /lib/modules is not
# used), and the guest's kernel.modprobe points at the same, so kinds autoload as well.
# This same file is the guest's init: run as PID 1 it does the guest side.
#
# Environment: UML_MEM (default 2G), UML_TIMEOUT seconds for the whole run (default 1800),
# UML_MODULES (space-separated list to load; default below), UML_FB_TUNNELS=1 to keep the
# tunnel modules' fallback devices (gre0, tunl0, sit0, ...) in new namespaces (by default
# net.core.fb_tunnels_only_for_init_net=1), UML_VERBOSE=1 for the kernel's boot messages.
set -uo pipefail

default_modules='ipv6 dummy bonding 8021q vrf ipvlan ipvtap macvlan macvtap veth bridge vxlan
geneve ip_gre ip6_gre ipip sit br_netfilter team team_mode_activebackup team_mode_roundrobin
team_mode_loadbalance team_mode_broadcast team_mode_random macsec ifb nlmon tun wireguard'

# The guest's way out (from the EXIT trap): flush hostfs writes, then power off, which ends
# linux.uml on the host.
# shellcheck disable=SC2317 # called through the trap
power_off() {
  sync
  echo o >/proc/sysrq-trigger
  sleep 10
}

guest() {
  export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  local xfer=/run/uml-xfer status=2
  trap power_off EXIT
  mount -t proc proc /proc || return
  mount -t sysfs sysfs /sys || return
  mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev || return
  mkdir -p /dev/pts /dev/shm
  mount -t devpts devpts /dev/pts
  mount -t tmpfs tmpfs /dev/shm
  mount -t tmpfs tmpfs /run || return
  mkdir -p "$xfer" && mount -t hostfs -o "$UMLTEST_XFER" hostfs "$xfer" || return
  mount -t tmpfs tmpfs /tmp || return
  local repo
  repo=$(cat "$xfer/repo")
  # a repository under /tmp or /run is hidden by the tmpfs above: its mount point is made there
  mkdir -p "$repo" && mount -t hostfs -o "$repo" hostfs "$repo" || return

  local ver kmroot=/tmp/kmroot
  ver=$(uname -r)
  mkdir -p "$kmroot/lib/modules"
  ln -s "/usr/lib/uml/modules/$ver" "$kmroot/lib/modules/$ver"
  printf '#!/bin/sh\nexec /usr/sbin/modprobe -d %s "$@"\n' "$kmroot" >/tmp/modprobe
  chmod +x /tmp/modprobe
  echo /tmp/modprobe >/proc/sys/kernel/modprobe
  local m mods=() loaded=() missing=()
  read -r -d '' -a mods <"$xfer/modules"
  for m in "${mods[@]}"; do
    if modprobe -d "$kmroot" "$m" 2>/dev/null; then loaded+=("$m"); else missing+=("$m"); fi
  done
  echo "uml-test: kernel $ver; modules loaded: ${loaded[*]}; not available: ${missing[*]:-none}"
  # ip_gre, ipip, sit and ip6_tunnel would put their fallback devices (gre0, tunl0, sit0, ...) in
  # every new namespace, where tests expect only the links they made; UML_FB_TUNNELS=1 keeps them.
  if [ "$(cat "$xfer/fb_tunnels")" != 1 ]; then
    echo 1 >/proc/sys/net/core/fb_tunnels_only_for_init_net
  fi
  ip link set lo up

  local args=()
  mapfile -d '' args <"$xfer/args"
  export HOME=/tmp/home TMPDIR=/tmp
  mkdir -p "$HOME"
  cd "$repo" || return
  if [ "${args[0]:-}" = --exec ]; then
    "${args[@]:1}" 2>&1 | cat
  elif [ "${args[0]:-}" = --compiled ]; then
    local f passed=0 total=0 failed=0
    for f in "${args[@]:1}"; do
      total=$((total + 1))
      echo "# uml-test: $f"
      if node "tmp/uml-js/${f%.ts}.js" 2>&1 | cat && [ "${PIPESTATUS[0]}" = 0 ]; then
        passed=$((passed + 1))
      else
        failed=1
        echo "# uml-test: FAILED $f"
      fi
    done
    echo "uml-test: $passed of $total files passed"
    echo "$failed" >"$xfer/status"
    return
  else
    node_modules/.bin/tap "${args[@]}" 2>&1 | cat
  fi
  status=${PIPESTATUS[0]}
  echo "$status" >"$xfer/status"
}

if [ "$$" = 1 ]; then
  guest
  exit
fi

# ---- host side
if [ "$(id -u)" != 0 ]; then
  echo "uml-test: needs root (the guest's hostfs runs as the caller)" >&2
  exit 2
fi
uml=$(command -v linux.uml || command -v linux) || {
  echo "uml-test: no linux.uml (apt-get install user-mode-linux)" >&2
  exit 2
}
command -v modprobe >/dev/null || {
  echo "uml-test: no modprobe (apt-get install kmod)" >&2
  exit 2
}
self=$(readlink -f "$0")
repo=$(cd "$(dirname "$self")/.." && pwd -P)
if [ "${1:-}" = --compiled ]; then
  # The test files and what they import, compiled with the project's compiler options.
  out="$repo/tmp/uml-js"
  rm -rf "$out" && mkdir -p "$out" || exit 2
  ln -s ../../build "$out/build" # lib/binding.ts looks for the addon beside lib/'s parent
  files=()
  for f in "${@:2}"; do files+=("\"../../$f\""); done
  printf '{ "extends": "../../tsconfig.json", "compilerOptions": { "noEmit": false, "rootDir": "../..", "outDir": ".", "sourceMap": false, "declaration": false }, "include": [], "files": [%s] }\n' \
    "$(IFS=,; echo "${files[*]}")" >"$out/tsconfig.json"
  "$repo/node_modules/.bin/tsc" -p "$out/tsconfig.json" || { echo "uml-test: the test files do not compile" >&2; exit 1; }
fi
xfer=$(mktemp -d /tmp/uml-test.XXXXXX)
trap 'rm -rf "$xfer"' EXIT
printf '%s' "$repo" >"$xfer/repo"
printf '%s\n' "${UML_MODULES:-$default_modules}" >"$xfer/modules"
printf '%s\n' "${UML_FB_TUNNELS:-0}" >"$xfer/fb_tunnels"
: >"$xfer/args"
if [ $# -gt 0 ]; then printf '%s\0' "$@" >"$xfer/args"; fi
mkdir "$xfer/uml"

log=(quiet)
if [ "${UML_VERBOSE:-}" = 1 ]; then log=(); fi
# The memory file goes to /dev/shm (tmpfs); stdin is closed; the console is stdout.
TMPDIR=/dev/shm timeout -k 30 "${UML_TIMEOUT:-1800}" "$uml" \
  mem="${UML_MEM:-2G}" rootfstype=hostfs rootflags=/ ro init="$self" \
  panic=-1 noreboot uml_dir="$xfer/uml" con0=null,fd:1 con=null "${log[@]}" \
  UMLTEST_XFER="$xfer" </dev/null 2>&1 |
  grep -av -e '^epollctl add err fd' -e '^sysrq: Power Off' -e '^reboot: Power down' \
    -e '^SELinux: ' -e '^mmapper_init - find_iomem failed' -e '^Failed to initialize ubd device 0 '
if [ ! -s "$xfer/status" ]; then
  echo "uml-test: the guest reported no status (boot failure, panic or timeout)" >&2
  exit 2
fi
exit "$(cat "$xfer/status")"
