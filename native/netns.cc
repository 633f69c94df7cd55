// Network namespaces: like iproute2's ip/ipnetns.c netns_add/netns_delete, and open(2) inside one.
#include "netns.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "args.h"

namespace rtnl {

NsTarget::~NsTarget() {
  if (owned && fd >= 0) close(fd);
}

bool ReadNsTarget(Napi::Env env, Napi::Object target, NsTarget* out) {
  Napi::Value path = target.Get("netnsPath");
  int64_t fd = -1;
  bool hasFd = false;
  if (env.IsExceptionPending() || !ReadOptInt(target, "netnsFd", 0, INT32_MAX, &fd, &hasFd)) {
    return false;
  }
  if (path.IsUndefined() || path.IsNull()) {
    out->fd = static_cast<int>(fd);
    return true;
  }
  std::string p;
  if (hasFd) {
    ThrowType(env, "Expected only one of \"netnsPath\" and \"netnsFd\"");
    return false;
  }
  if (!ReadString(env, path, "netnsPath", &p)) return false;
  out->fd = open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (out->fd < 0) {
    ThrowErrno(env, errno, "open", p);
    return false;
  }
  out->owned = true;
  return true;
}

void BlockSignals() {
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
}

Outcome EnterNetns(int nsfd) {
  if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0) return Fail("setns");
  return Outcome{0};
}

Outcome RunInNetns(int nsfd, const std::function<Outcome()>& fn) {
  Outcome out;
  std::thread worker([&] {
    BlockSignals();
    out = EnterNetns(nsfd);
    if (out.err == 0) out = fn();
  });
  worker.join();
  return out;
}

// mount --make-rshared dir, first bind-mounting dir onto itself if it is not a mount point yet.
static Outcome MakeShared(const std::string& dir) {
  bool bound = false;
  while (mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) < 0) {
    if (errno != EINVAL || bound) return Fail("mount");
    if (mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) < 0) {
      return Fail("mount");
    }
    bound = true;
  }
  return Outcome{0};
}

Napi::Value NetnsCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  if (!ReadString(env, info[0], "path", &path)) return env.Undefined();
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == path.size()) {
    ThrowType(env, "Expected \"path\" to be an absolute file path such as /run/netns/NAME");
    return env.Undefined();
  }
  std::string dir = path.substr(0, slash);
  if (mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST) {
    ThrowErrno(env, errno, "mkdir", dir);
    return env.Undefined();
  }
  Outcome o = MakeShared(dir);
  if (o.err) {
    ThrowOutcome(env, o, dir);
    return env.Undefined();
  }
  int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) {
    ThrowErrno(env, errno, "open", path);
    return env.Undefined();
  }
  close(fd);
  o = RunInNetns(-1, [&] {
    if (unshare(CLONE_NEWNET) < 0) return Fail("unshare");
    if (mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) < 0) {
      return Fail("mount");
    }
    return Outcome{0};
  });
  if (o.err) {
    unlink(path.c_str());
    ThrowOutcome(env, o, path);
  }
  return env.Undefined();
}

Napi::Value NetnsDelete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  if (!ReadString(env, info[0], "path", &path)) return env.Undefined();
  // EINVAL: not a mount point (a stale file); remove it anyway, as `ip netns del` does.
  if (umount2(path.c_str(), MNT_DETACH) < 0 && errno != EINVAL) {
    ThrowErrno(env, errno, "umount2", path);
  } else if (unlink(path.c_str()) < 0) {
    ThrowErrno(env, errno, "unlink", path);
  }
  return env.Undefined();
}

Napi::Value OpenInNetns(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object target;
  NsTarget ns;
  std::string path;
  int64_t flags = 0;
  int64_t mode = 0;
  if (!ReadObject(env, info[0], "target", &target) || !ReadNsTarget(env, target, &ns) ||
      !ReadString(env, info[1], "path", &path) ||
      !ReadInt(env, info[2], "flags", 0, INT32_MAX, &flags) ||
      !ReadInt(env, info[3], "mode", 0, 07777, &mode)) {
    return env.Undefined();
  }
  auto openIt = [&] {
    int fd = open(path.c_str(), static_cast<int>(flags) | O_CLOEXEC, static_cast<mode_t>(mode));
    return fd < 0 ? Fail("open") : Outcome{fd};
  };
  Outcome o = ns.fd < 0 ? openIt() : RunInNetns(ns.fd, openIt);
  if (o.err) {
    ThrowOutcome(env, o, path);
    return env.Undefined();
  }
  return Napi::Number::New(env, o.value);
}

}  // namespace rtnl
