// tun/tap devices like `ip tuntap add` (ip/iptuntap.c): ioctls on /dev/net/tun opened in the netns.
#include "tun.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "args.h"
#include "errors.h"
#include "netns.h"

namespace rtnl {

namespace {

struct TunSpec {
  std::string name;
  int flags = 0;
  bool hasOwner = false;
  bool hasGroup = false;
  bool persist = false;
  int64_t owner = 0;
  int64_t group = 0;
};

bool ReadTunSpec(Napi::Env env, Napi::Object o, TunSpec* spec) {
  bool tap = false, multiQueue = false, vnetHdr = false, noPi = false;
  if (!ReadIfName(env, o.Get("name"), true, &spec->name) ||
      !ReadBool(env, o.Get("tap"), "tap", &tap) ||
      !ReadBool(env, o.Get("multiQueue"), "multiQueue", &multiQueue) ||
      !ReadBool(env, o.Get("vnetHdr"), "vnetHdr", &vnetHdr) ||
      !ReadBool(env, o.Get("noPi"), "noPi", &noPi) ||
      !ReadBool(env, o.Get("persist"), "persist", &spec->persist) ||
      !ReadOptInt(o, "owner", 0, UINT32_MAX - 1, &spec->owner, &spec->hasOwner) ||
      !ReadOptInt(o, "group", 0, UINT32_MAX - 1, &spec->group, &spec->hasGroup)) {
    return false;
  }
  // IFF_TUN_EXCL: TUNSETIFF fails (EBUSY) where a device of that name exists, instead of attaching
  // to it, so two creations racing for one name cannot both succeed (RTM_NEWLINK's NLM_F_EXCL).
  spec->flags = (tap ? IFF_TAP : IFF_TUN) | IFF_TUN_EXCL | (noPi ? IFF_NO_PI : 0) |
                (multiQueue ? IFF_MULTI_QUEUE : 0) | (vnetHdr ? IFF_VNET_HDR : 0);
  return true;
}

// Runs inside the namespace: /dev/net/tun binds the device to the opener's namespace.
Outcome MakeTun(const TunSpec& spec, char (&name)[IFNAMSIZ]) {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) return Fail("open");
  ifreq ifr{};
  ifr.ifr_flags = static_cast<short>(spec.flags);
  std::memcpy(ifr.ifr_name, spec.name.data(), spec.name.size());
  Outcome o{0};
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    o = Fail("TUNSETIFF");
  } else if (spec.hasOwner && ioctl(fd, TUNSETOWNER, static_cast<unsigned long>(spec.owner)) < 0) {
    o = Fail("TUNSETOWNER");
  } else if (spec.hasGroup && ioctl(fd, TUNSETGROUP, static_cast<unsigned long>(spec.group)) < 0) {
    o = Fail("TUNSETGROUP");
  } else if (ioctl(fd, TUNSETPERSIST, spec.persist ? 1UL : 0UL) < 0) {
    o = Fail("TUNSETPERSIST");
  }
  std::memcpy(name, ifr.ifr_name, IFNAMSIZ);
  name[IFNAMSIZ - 1] = '\0';
  close(fd);
  return o;
}

}  // namespace

Napi::Value TunCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts;
  TunSpec spec;
  NsTarget ns;
  if (!ReadObject(env, info[0], "opts", &opts) || !ReadTunSpec(env, opts, &spec) ||
      !ReadNsTarget(env, opts, &ns)) {
    return env.Undefined();
  }
  char name[IFNAMSIZ] = {};
  Outcome o = RunInNetns(ns.fd, [&] { return MakeTun(spec, name); });
  if (o.err) {
    ThrowOutcome(env, o, spec.name);
    return env.Undefined();
  }
  return Napi::String::New(env, name);
}

// mknod(path, mode, major, minor): the character node a macvtap/ipvtap's VM opens (/dev/tapN),
// for a /dev that devtmpfs did not fill. Runs on the main thread: mknod is a quick syscall.
Napi::Value Mknod(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  int64_t mode = 0, major = 0, minor = 0;
  if (!ReadString(env, info[0], "path", &path) ||
      !ReadInt(env, info[1], "mode", 0, 0xffff, &mode) ||
      !ReadInt(env, info[2], "major", 0, 0xfff, &major) ||
      !ReadInt(env, info[3], "minor", 0, 0xfffff, &minor)) {
    return env.Undefined();
  }
  dev_t dev = makedev(static_cast<unsigned>(major), static_cast<unsigned>(minor));
  if (mknod(path.c_str(), static_cast<mode_t>(mode), dev) < 0) {
    ThrowErrno(env, errno, "mknod", path);
  }
  return env.Undefined();
}

}  // namespace rtnl
