// NETLINK_ROUTE sockets: open (optionally in a namespace), one I/O thread each, send/recv/close.
#pragma once

#include <napi.h>

namespace rtnl {

// Creates this env's socket registry and the cleanup hook that closes every socket at exit.
bool InitSockets(Napi::Env env);

Napi::Value OpenSocket(const Napi::CallbackInfo& info);
Napi::Value SocketPortId(const Napi::CallbackInfo& info);
Napi::Value SocketSend(const Napi::CallbackInfo& info);
Napi::Value SocketRef(const Napi::CallbackInfo& info);
Napi::Value SocketPause(const Napi::CallbackInfo& info);
Napi::Value SocketMembership(const Napi::CallbackInfo& info);
Napi::Value SocketSetRcvbuf(const Napi::CallbackInfo& info);
Napi::Value SocketRcvbuf(const Napi::CallbackInfo& info);
Napi::Value SocketIfIndex(const Napi::CallbackInfo& info);
Napi::Value SocketIfName(const Napi::CallbackInfo& info);
Napi::Value CloseSocket(const Napi::CallbackInfo& info);

}  // namespace rtnl
