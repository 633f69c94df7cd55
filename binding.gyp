# The rtnetlink addon for node-gyp: one target, pure Node-API (NAPI_VERSION 8), C++ exceptions off.
# `node scripts/build-native.mjs --asan` sets rtnl_asan=1: ASan+UBSan in the compile and the link
# flags (not "asan": node's own config.gypi defines that one and wins over -D).
{
  'variables': { 'rtnl_asan%': 0 },
  'targets': [
    {
      'target_name': 'rtnetlink',
      'sources': [
        'native/addon.cc',
        'native/netns.cc',
        'native/socket.cc',
        'native/tun.cc',
      ],
      'include_dirs': ["<!(node -p \"require('node-addon-api').include_dir\")"],
      'defines': ['NAPI_VERSION=8', 'NAPI_DISABLE_CPP_EXCEPTIONS', 'NODE_ADDON_API_DISABLE_DEPRECATED'],
      'cflags!': ['-fexceptions'],
      'cflags_cc!': ['-fexceptions'],
      'cflags': ['-Wall', '-Wextra', '-Wconversion', '-Werror', '-fvisibility=hidden'],
      'cflags_cc': ['-std=gnu++17', '-fno-exceptions', '-fvisibility-inlines-hidden'],
      'ldflags': ['-pthread'],
      'conditions': [
        ['rtnl_asan==1', {
          'cflags': ['-fsanitize=address,undefined', '-fno-omit-frame-pointer', '-fno-sanitize-recover=undefined'],
          'ldflags': ['-fsanitize=address,undefined'],
        }],
      ],
    },
  ],
}
