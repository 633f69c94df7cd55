// Argument readers for the exported functions: type checks that throw a TypeError and return false.
#pragma once

#include <napi.h>
#include <net/if.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "errors.h"

namespace rtnl {

inline bool ReadInt(Napi::Env env, Napi::Value v, const char* name, int64_t lo, int64_t hi,
                    int64_t* out) {
  if (env.IsExceptionPending()) return false;  // a getter threw
  std::string message = std::string("Expected \"") + name + "\" to be an integer in " +
                        std::to_string(lo) + ".." + std::to_string(hi);
  if (!v.IsNumber()) {
    ThrowType(env, message);
    return false;
  }
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d || d < static_cast<double>(lo) ||
      d > static_cast<double>(hi)) {
    Napi::RangeError::New(env, message).ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

inline bool ReadFd(Napi::Env env, Napi::Value v, int* out) {
  int64_t fd = 0;
  if (!ReadInt(env, v, "fd", 0, INT32_MAX, &fd)) return false;
  *out = static_cast<int>(fd);
  return true;
}

inline bool ReadString(Napi::Env env, Napi::Value v, const char* name, std::string* out) {
  if (env.IsExceptionPending()) return false;
  if (!v.IsString()) {
    ThrowType(env, std::string("Expected \"") + name + "\" to be a string");
    return false;
  }
  *out = v.As<Napi::String>().Utf8Value();
  return true;
}

// An interface name for ifr_name: a string under IFNAMSIZ bytes, without NUL (the kernel would read
// only up to it); empty only where the kernel picks the name (allowEmpty). Else a RangeError.
inline bool ReadIfName(Napi::Env env, Napi::Value v, bool allowEmpty, std::string* out) {
  if (!ReadString(env, v, "name", out)) return false;
  if ((out->empty() && !allowEmpty) || out->size() >= IFNAMSIZ ||
      out->find('\0') != std::string::npos) {
    Napi::RangeError::New(env, allowEmpty ? "Expected \"name\" to be at most 15 bytes, without NUL"
                                          : "Expected \"name\" to be 1 to 15 bytes, without NUL")
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

inline bool ReadBool(Napi::Env env, Napi::Value v, const char* name, bool* out) {
  if (env.IsExceptionPending()) return false;
  if (!v.IsBoolean()) {
    ThrowType(env, std::string("Expected \"") + name + "\" to be a boolean");
    return false;
  }
  *out = v.As<Napi::Boolean>().Value();
  return true;
}

inline bool ReadObject(Napi::Env env, Napi::Value v, const char* name, Napi::Object* out) {
  if (!v.IsObject()) {
    ThrowType(env, std::string("Expected \"") + name + "\" to be an object");
    return false;
  }
  *out = v.As<Napi::Object>();
  return true;
}

// An optional property: undefined (or null) leaves *present false and *out untouched.
inline bool ReadOptInt(Napi::Object o, const char* key, int64_t lo, int64_t hi, int64_t* out,
                       bool* present) {
  Napi::Value v = o.Get(key);
  if (o.Env().IsExceptionPending()) return false;
  *present = !v.IsUndefined() && !v.IsNull();
  return !*present || ReadInt(o.Env(), v, key, lo, hi, out);
}

}  // namespace rtnl
