// Errors thrown to JS: Node's SystemError shape {code, errno (negative), syscall} and TypeErrors.
#pragma once

#include <napi.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace rtnl {

// What a syscall sequence (often on another thread) ended with: a value, or errno + syscall.
struct Outcome {
  int value = -1;
  int err = 0;
  const char* syscall = nullptr;
};

inline Outcome Fail(const char* syscall) {
  return Outcome{-1, errno, syscall};
}

// "EPERM" for EPERM: glibc has the table; elsewhere (musl) the common ones suffice.
inline std::string ErrnoName(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
  if (const char* name = strerrorname_np(err)) return name;
#else
#define RTNL_E(e) \
  { e, #e }
  static const struct {
    int err;
    const char* name;
  } kNames[] = {RTNL_E(EPERM),   RTNL_E(ENOENT),      RTNL_E(EINTR),     RTNL_E(EBADF),
                RTNL_E(EAGAIN),  RTNL_E(ENOMEM),      RTNL_E(EACCES),    RTNL_E(EBUSY),
                RTNL_E(EEXIST),  RTNL_E(ENODEV),      RTNL_E(EINVAL),    RTNL_E(EMFILE),
                RTNL_E(ENOBUFS), RTNL_E(ENOPROTOOPT), RTNL_E(EOPNOTSUPP)};
#undef RTNL_E
  for (const auto& e : kNames) {
    if (e.err == err) return e.name;
  }
#endif
  return "E" + std::to_string(err);
}

// Throws `syscall: strerror` with code, errno (Node's negative sign), syscall and, if given, path.
inline void ThrowErrno(Napi::Env env, int err, const char* syscall, const std::string& path = "") {
  Napi::Error e = Napi::Error::New(env, std::string(syscall) + ": " + std::strerror(err));
  e.Set("code", Napi::String::New(env, ErrnoName(err)));
  e.Set("errno", Napi::Number::New(env, -err));
  e.Set("syscall", Napi::String::New(env, syscall));
  if (!path.empty()) e.Set("path", Napi::String::New(env, path));
  e.ThrowAsJavaScriptException();
}

inline void ThrowOutcome(Napi::Env env, const Outcome& o, const std::string& path = "") {
  ThrowErrno(env, o.err, o.syscall, path);
}

inline void ThrowType(Napi::Env env, const std::string& message) {
  Napi::TypeError::New(env, message).ThrowAsJavaScriptException();
}

}  // namespace rtnl
