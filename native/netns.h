// Network namespaces: the {netnsPath, netnsFd} target, threads that enter one, ip netns add/del.
#pragma once

#include <napi.h>

#include <functional>

#include "errors.h"

namespace rtnl {

// The namespace to act in: fd < 0 means the caller's own. Closes fd if it opened it.
struct NsTarget {
  int fd = -1;
  bool owned = false;
  NsTarget() = default;
  NsTarget(const NsTarget&) = delete;
  NsTarget& operator=(const NsTarget&) = delete;
  ~NsTarget();
};

// Reads {netnsPath?, netnsFd?} and opens netnsPath on the calling (main) thread, so a missing
// namespace is reported synchronously. False with a JS exception pending on error.
bool ReadNsTarget(Napi::Env env, Napi::Object target, NsTarget* out);

// Blocks every signal on the calling thread, so signals stay with Node's own threads.
void BlockSignals();

// setns(nsfd, CLONE_NEWNET) on the calling thread; nsfd < 0 does nothing.
Outcome EnterNetns(int nsfd);

// Runs fn on a new std::thread that first enters nsfd, and joins it. The thread then exits, so
// no thread is ever left in the namespace and Node's threads never move.
Outcome RunInNetns(int nsfd, const std::function<Outcome()>& fn);

Napi::Value NetnsCreate(const Napi::CallbackInfo& info);
Napi::Value NetnsDelete(const Napi::CallbackInfo& info);
Napi::Value OpenInNetns(const Napi::CallbackInfo& info);

}  // namespace rtnl
