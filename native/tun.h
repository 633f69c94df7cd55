// tun/tap devices: TUNSETIFF and friends on /dev/net/tun (rtnetlink cannot create them).
#pragma once

#include <napi.h>

namespace rtnl {

Napi::Value TunCreate(const Napi::CallbackInfo& info);
Napi::Value Mknod(const Napi::CallbackInfo& info);

}  // namespace rtnl
