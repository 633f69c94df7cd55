// Module init: exports exactly the NativeAddon surface declared in lib/binding.ts.
#include <napi.h>

#include "netns.h"
#include "socket.h"
#include "tun.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (!rtnl::InitSockets(env)) return exports;
  const struct {
    const char* name;
    Napi::Value (*fn)(const Napi::CallbackInfo&);
  } table[] = {
      {"openSocket", rtnl::OpenSocket},
      {"socketPortId", rtnl::SocketPortId},
      {"socketSend", rtnl::SocketSend},
      {"socketRef", rtnl::SocketRef},
      {"socketPause", rtnl::SocketPause},
      {"socketMembership", rtnl::SocketMembership},
      {"socketSetRcvbuf", rtnl::SocketSetRcvbuf},
      {"socketRcvbuf", rtnl::SocketRcvbuf},
      {"socketIfIndex", rtnl::SocketIfIndex},
      {"socketIfName", rtnl::SocketIfName},
      {"closeSocket", rtnl::CloseSocket},
      {"netnsCreate", rtnl::NetnsCreate},
      {"netnsDelete", rtnl::NetnsDelete},
      {"openInNetns", rtnl::OpenInNetns},
      {"tunCreate", rtnl::TunCreate},
      {"mknod", rtnl::Mknod},
  };
  for (const auto& entry : table) {
    exports.Set(entry.name, Napi::Function::New(env, entry.fn, entry.name));
  }
  return exports;
}

}  // namespace

NODE_API_MODULE(rtnetlink, Init)
