// NETLINK_ROUTE sockets, each served by its own I/O thread, and the exported socket calls.
#include "socket.h"

#include <linux/netlink.h>
#include <net/if.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "args.h"
#include "errors.h"
#include "netns.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

// The I/O thread polls {socket, eventfd}: it runs sendmsg for the queued buffers and reads whole
// datagrams into batches delivered through a bounded ThreadSafeFunction, so a slow JS consumer
// stops the reads, and with them the kernel's dump. A dump is read no more than kDumpAhead chunks
// ahead of JS: the kernel builds the rest while JS decodes, instead of both at once at the start.
namespace rtnl {
namespace {

constexpr size_t kBatchBytes = 256 * 1024;  // deliver once a batch holds this much
constexpr size_t kMaxQueue = 16;            // chunks waiting for JS before the thread blocks
constexpr size_t kSlot = 64 * 1024;     // one datagram per slot: above netlink's 32 KiB dump cap
constexpr unsigned kSlots = 32;         // datagrams per recvmmsg (an ACK each, in bulk work)
constexpr size_t kDumpDatagram = 2048;  // a datagram this large is part of a dump (an ACK is ~36 B)
constexpr size_t kEarlyBytes = 16 * 1024;  // a dump's replies worth handing over before its end
constexpr unsigned kDumpAhead = 2;  // a dump's chunks waiting for JS before its reading stops
constexpr int64_t kDefaultSndbuf = 4 << 20;
constexpr int64_t kDefaultRcvbuf = 32 << 20;

// What the I/O thread and JS share about the chunks handed over: how many JS has not taken yet, and
// the eventfd that wakes the thread (for sends, close, and when JS has taken every chunk). Owned by
// the socket and by each chunk in flight, so a chunk JS takes after close still finds it.
struct Handover {
  std::atomic<unsigned> queued{0};
  int efd = -1;
  Handover() = default;
  Handover(const Handover&) = delete;
  Handover& operator=(const Handover&) = delete;
  ~Handover() {
    if (efd >= 0) close(efd);
  }
  void Wake() const {
    uint64_t one = 1;
    if (write(efd, &one, sizeof one) < 0) {
      // Only EAGAIN at a counter of 2^64-2 is possible: the thread is awake anyway.
    }
  }
};

// One onData(chunk, errno, sendId) call: bytes, or an errno (with the sendId of a failed send).
struct Chunk {
  std::vector<uint8_t> bytes;
  int err = 0;
  uint32_t sendId = 0;
  std::shared_ptr<Handover> handover;
};

// Raw Node-API on purpose: while Node tears down, calls fail with a status, and node-addon-api
// would turn that into a fatal "cannot throw".
void CallJs(Napi::Env env, Napi::Function onData, std::nullptr_t*, Chunk* raw) {
  std::unique_ptr<Chunk> c(raw);
  // JS takes its last chunk: a thread holding replies back (see ShouldFlush) hands them over now.
  // Or JS takes a chunk of a dump read kDumpAhead chunks ahead (see DumpAhead): reading goes on.
  const unsigned before = c->handover->queued.fetch_sub(1);
  if (before == 1 || before == kDumpAhead) c->handover->Wake();
  if (static_cast<napi_env>(env) == nullptr || onData.IsEmpty()) return;  // finalizing
  napi_value argv[3];
  if (c->err != 0) {
    napi_get_null(env, &argv[0]);
  } else {
    auto* bytes = new std::vector<uint8_t>(std::move(c->bytes));
    auto release = [](napi_env, void*, void* hint) {
      delete static_cast<std::vector<uint8_t>*>(hint);
    };
    if (napi_create_external_buffer(env, bytes->size(), bytes->data(), release, bytes, &argv[0]) !=
        napi_ok) {  // e.g. a runtime that forbids external buffers: copy
      napi_status copied =
          napi_create_buffer_copy(env, bytes->size(), bytes->data(), nullptr, &argv[0]);
      delete bytes;
      if (copied != napi_ok) return;
    }
  }
  napi_value self;
  napi_get_undefined(env, &self);
  napi_create_int32(env, c->err, &argv[1]);
  napi_create_uint32(env, c->sendId, &argv[2]);
  napi_call_function(env, self, onData, 3, argv, nullptr);
  bool thrown = false;
  napi_value error;
  if (napi_is_exception_pending(env, &thrown) == napi_ok && thrown &&
      napi_get_and_clear_last_exception(env, &error) == napi_ok) {
    napi_fatal_exception(env, error);  // 'uncaughtException', not Node's silent DEP0168 swallow
  }
}

using Tsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, Chunk, CallJs>;

struct Socket {
  int fd = -1;
  std::shared_ptr<Handover> handover = std::make_shared<Handover>();
  uint32_t portId = 0;
  uint32_t lastSendId = 0;
  Tsfn tsfn;
  std::thread thread;
  std::atomic<bool> stop{false};
  std::atomic<bool> paused{false};  // JS holds enough: leave the rest (and the dump) in the kernel
  bool dumping = false;             // the last read was of a dump's datagrams (I/O thread only)
  std::mutex mu;                    // guards sends
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> sends;
  std::unique_ptr<uint8_t[]> recvArea{new uint8_t[kSlot * kSlots]};  // untouched pages stay virtual
};

struct Registry {
  std::unordered_map<int, std::unique_ptr<Socket>> sockets;
};

void NoFinalize(Napi::Env, Registry*) {}  // the cleanup hook owns the registry

void Wake(Socket* s) {
  s->handover->Wake();
}

// Runs on the thread that owns s. False once JS is gone (napi_closing): stop using the TSFN.
bool Deliver(Socket* s, Chunk* c) {
  s->handover->queued.fetch_add(1);
  if (s->tsfn.BlockingCall(c) == napi_ok) return true;
  s->handover->queued.fetch_sub(1);
  delete c;
  return false;
}

bool DeliverError(Socket* s, int err, uint32_t sendId) {
  return Deliver(s, new Chunk{{}, err, sendId, s->handover});
}

bool Flush(Socket* s, std::vector<uint8_t>& batch) {
  if (batch.empty()) return true;
  auto* c = new Chunk{std::move(batch), 0, 0, s->handover};
  batch = std::vector<uint8_t>();
  return Deliver(s, c);
}

// Whether replies read so far should go to JS now rather than wait for more: yes when JS has taken
// every chunk (it may be waiting for these), or the batch is full. While JS is busy (issuing
// thousands of requests in one synchronous loop), ACKs gather into full chunks instead of one small
// chunk per sendmsg, so the bounded queue holds ~100,000 of them and the sends go on meanwhile.
bool ShouldFlush(const Socket* s, const std::vector<uint8_t>& batch) {
  return batch.size() >= kBatchBytes || s->handover->queued.load() == 0;
}

// Whether a dump is being read kDumpAhead chunks ahead of JS: then its next datagrams wait in the
// kernel until JS takes one. Reading a whole dump at once would put the kernel's work for it (about
// as much CPU as JS's decoding) beside a fresh process's JIT compilation and JS on two cores, and
// JS would wait for a core; spread over the dump, it runs while JS decodes the chunks before.
bool DumpAhead(const Socket* s) {
  return s->dumping && s->handover->queued.load() >= kDumpAhead;
}

bool Drain(Socket* s, std::vector<uint8_t>& batch);

// Sends the queued buffers; after each, reads its replies and hands them to JS (at once if JS is
// waiting, see ShouldFlush) before the next goes out, so JS works on one buffer's ACKs while the
// kernel works on the next buffer.
bool SendQueued(Socket* s, std::vector<uint8_t>& batch) {
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> queue;
  {
    std::lock_guard<std::mutex> lock(s->mu);
    queue.swap(s->sends);
  }
  for (auto& [id, buf] : queue) {
    if (s->stop.load()) return false;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_name = &kernel;
    msg.msg_namelen = sizeof kernel;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    ssize_t n;
    do n = sendmsg(s->fd, &msg, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0 && !DeliverError(s, errno, id)) return false;
    if (n >= 0 && !Drain(s, batch)) return false;
  }
  return true;
}

// Reads datagrams until EAGAIN, up to kSlots per recvmmsg. A slot is larger than any datagram
// rtnetlink sends (dumps are capped at 32 KiB by netlink_recvmsg), so none is cut; one that
// still is (MSG_TRUNC) is reported as EMSGSIZE rather than delivered half.
// A dump never reaches EAGAIN before its end: the kernel builds its next datagram inside each
// recvmsg, so one recvmmsg of 32 would return only once the kernel had built 32 datagrams (~16,000
// routes) or the whole dump. So the first read is of one datagram, and while they are a dump's,
// the next ones too; once 16 KiB of them are read they go to JS whenever it has taken every chunk
// (ShouldFlush): JS decodes while the kernel builds the rest. ACKs (~36 bytes each) are read 32 at
// a time, and a small dump (a few links) still arrives in one chunk with its NLMSG_DONE.
bool Drain(Socket* s, std::vector<uint8_t>& batch) {
  uint8_t* area = s->recvArea.get();
  unsigned vlen = 1;
  while (!s->stop.load()) {
    // JS holds enough of a dump (socketPause): the rest waits in the kernel, which builds a dump's
    // next datagram only as the socket is read. What was read goes to JS; poll resumes on unpause.
    if (s->paused.load()) return Flush(s, batch);
    if (DumpAhead(s)) return true;  // poll resumes when JS takes a chunk (CallJs wakes us)
    mmsghdr msgs[kSlots] = {};
    iovec iov[kSlots];
    for (unsigned i = 0; i < vlen; i++) {
      iov[i] = {area + i * kSlot, kSlot};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(s->fd, msgs, vlen, MSG_DONTWAIT, nullptr);
    if (n > 0) {
      bool dump = false;
      for (int i = 0; i < n; i++) {
        const uint8_t* at = area + static_cast<size_t>(i) * kSlot;
        if ((msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0) {
          if (!Flush(s, batch) || !DeliverError(s, EMSGSIZE, 0)) return false;
          continue;
        }
        batch.insert(batch.end(), at, at + msgs[i].msg_len);
        if (msgs[i].msg_len >= kDumpDatagram) dump = true;
      }
      vlen = dump ? 1 : kSlots;
      s->dumping = dump;
      // From kEarlyBytes of a dump on, flush as at EAGAIN (JS has taken every chunk, or full).
      bool flush =
          dump && batch.size() >= kEarlyBytes ? ShouldFlush(s, batch) : batch.size() >= kBatchBytes;
      if (flush && !Flush(s, batch)) return false;
      continue;
    }
    int err = errno;
    if (err == EINTR) continue;
    if ((err == EAGAIN || err == EWOULDBLOCK) && !ShouldFlush(s, batch)) return true;
    if (!Flush(s, batch)) return false;
    if (err == EAGAIN || err == EWOULDBLOCK) return true;
    // ENOBUFS (overrun) is reported once and reading goes on; anything else goes back to poll.
    if (!DeliverError(s, err, 0)) return false;
    if (err != ENOBUFS) return true;
  }
  return false;
}

void IoLoop(Socket* s) {
  std::vector<uint8_t> batch;
  pollfd fds[2] = {{s->fd, POLLIN, 0}, {s->handover->efd, POLLIN, 0}};
  while (!s->stop.load()) {
    // Replies held back while JS was busy go once it has taken the rest (CallJs wakes us).
    if (!batch.empty() && ShouldFlush(s, batch) && !Flush(s, batch)) return;
    fds[0].events = s->paused.load() || DumpAhead(s) ? 0 : POLLIN;
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      DeliverError(s, errno, 0);
      return;
    }
    if (fds[1].revents != 0) {
      uint64_t count;
      if (read(s->handover->efd, &count, sizeof count) < 0) {
        // EAGAIN: another wake-up already consumed it.
      }
      if (!SendQueued(s, batch)) return;
    }
    if (fds[0].revents != 0 && !s->paused.load() && !Drain(s, batch)) return;
  }
}

bool SetBuf(int fd, int force, int plain, int bytes) {
  return setsockopt(fd, SOL_SOCKET, force, &bytes, sizeof bytes) == 0 ||
         setsockopt(fd, SOL_SOCKET, plain, &bytes, sizeof bytes) == 0;
}

Outcome Configure(int fd, int sndbuf, int rcvbuf, uint32_t* portId) {
  if (!SetBuf(fd, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf) ||
      !SetBuf(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf)) {
    return Fail("setsockopt");
  }
  const int one = 1;
  for (int opt : {NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, NETLINK_CAP_ACK}) {
    if (setsockopt(fd, SOL_NETLINK, opt, &one, sizeof one) < 0 && errno != ENOPROTOOPT) {
      return Fail("setsockopt");
    }
  }
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;  // nl_pid 0: the kernel assigns the port id
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) return Fail("bind");
  socklen_t len = sizeof sa;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) < 0) return Fail("getsockname");
  *portId = sa.nl_pid;
  return Outcome{fd};
}

// The socket's thread: enters the namespace, creates the socket, reports, then serves I/O.
void IoThread(Socket* s, int nsfd, int sndbuf, int rcvbuf, std::promise<Outcome> opened) {
  BlockSignals();
  Outcome o = EnterNetns(nsfd);
  if (o.err == 0) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    o = fd < 0 ? Fail("socket") : Configure(fd, sndbuf, rcvbuf, &s->portId);
    if (o.err != 0 && fd >= 0) close(fd);
    s->fd = o.value;
  }
  opened.set_value(o);
  if (o.err == 0) IoLoop(s);
}

// Stops the thread (the abort wakes a BlockingCall with napi_closing), joins it, closes the fds.
void Shutdown(Socket* s) {
  s->stop.store(true);
  Wake(s);
  s->tsfn.Abort();
  s->thread.join();
  close(s->fd);
}

void CloseAll(void* data) {
  auto* reg = static_cast<Registry*>(data);
  for (auto& entry : reg->sockets) Shutdown(entry.second.get());
  delete reg;
}

// The open socket for info[0]; throws EBADF and returns null for an unknown descriptor.
Socket* Find(const Napi::CallbackInfo& info, bool quiet = false) {
  Napi::Env env = info.Env();
  int fd = -1;
  if (!ReadFd(env, info[0], &fd)) return nullptr;
  auto& sockets = env.GetInstanceData<Registry>()->sockets;
  auto it = sockets.find(fd);
  if (it != sockets.end()) return it->second.get();
  if (!quiet) ThrowErrno(env, EBADF, "netlink");
  return nullptr;
}

}  // namespace

bool InitSockets(Napi::Env env) {
  auto* reg = new Registry();
  env.SetInstanceData<Registry, NoFinalize>(reg);
  if (napi_add_env_cleanup_hook(env, CloseAll, reg) != napi_ok) {
    delete reg;
    Napi::Error::New(env, "napi_add_env_cleanup_hook failed").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

Napi::Value OpenSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object opts;
  NsTarget ns;
  int64_t sndbuf = kDefaultSndbuf;
  int64_t rcvbuf = kDefaultRcvbuf;
  bool given = false;
  if (!ReadObject(env, info[0], "opts", &opts) ||
      !ReadOptInt(opts, "sndbuf", 0, INT32_MAX, &sndbuf, &given) ||
      !ReadOptInt(opts, "rcvbuf", 0, INT32_MAX, &rcvbuf, &given)) {
    return env.Undefined();
  }
  if (!info[1].IsFunction()) {
    ThrowType(env, "Expected \"onData\" to be a function");
    return env.Undefined();
  }
  if (!ReadNsTarget(env, opts, &ns)) return env.Undefined();

  auto s = std::make_unique<Socket>();
  s->handover->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (s->handover->efd < 0) {
    ThrowErrno(env, errno, "eventfd");
    return env.Undefined();
  }
  s->tsfn = Tsfn::New(env, info[1].As<Napi::Function>(), "rtnetlink", kMaxQueue, 1);
  if (env.IsExceptionPending()) return env.Undefined();
  s->tsfn.Unref(env);  // an idle socket never keeps the process alive

  std::promise<Outcome> opened;
  std::future<Outcome> result = opened.get_future();
  s->thread = std::thread(IoThread, s.get(), ns.fd, static_cast<int>(sndbuf),
                          static_cast<int>(rcvbuf), std::move(opened));
  Outcome o = result.get();
  if (o.err != 0) {
    s->thread.join();
    s->tsfn.Abort();
    ThrowOutcome(env, o);
    return env.Undefined();
  }
  int fd = s->fd;
  env.GetInstanceData<Registry>()->sockets.emplace(fd, std::move(s));
  return Napi::Number::New(env, fd);
}

Napi::Value SocketPortId(const Napi::CallbackInfo& info) {
  Socket* s = Find(info);
  return s ? Napi::Number::New(info.Env(), s->portId) : info.Env().Undefined();
}

Napi::Value SocketSend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Socket* s = Find(info);
  if (!s) return env.Undefined();
  if (!info[1].IsBuffer()) {
    ThrowType(env, "Expected \"buf\" to be a Buffer");
    return env.Undefined();
  }
  auto buf = info[1].As<Napi::Buffer<uint8_t>>();
  uint32_t id = ++s->lastSendId;
  {
    std::lock_guard<std::mutex> lock(s->mu);
    s->sends.emplace_back(id, std::vector<uint8_t>(buf.Data(), buf.Data() + buf.Length()));
  }
  Wake(s);
  return Napi::Number::New(env, id);
}

Napi::Value SocketRef(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool ref = false;
  Socket* s = Find(info, true);
  if (!s || !ReadBool(env, info[1], "ref", &ref)) return env.Undefined();
  if (ref) {
    s->tsfn.Ref(env);
  } else {
    s->tsfn.Unref(env);
  }
  return env.Undefined();
}

Napi::Value SocketPause(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool paused = false;
  Socket* s = Find(info, true);
  if (!s || !ReadBool(env, info[1], "paused", &paused)) return env.Undefined();
  s->paused.store(paused);
  Wake(s);
  return env.Undefined();
}

Napi::Value SocketMembership(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t group = 0;
  bool join = false;
  Socket* s = Find(info);
  if (!s || !ReadInt(env, info[1], "group", 1, UINT32_MAX, &group) ||
      !ReadBool(env, info[2], "join", &join)) {
    return env.Undefined();
  }
  auto g = static_cast<unsigned int>(group);
  int opt = join ? NETLINK_ADD_MEMBERSHIP : NETLINK_DROP_MEMBERSHIP;
  if (setsockopt(s->fd, SOL_NETLINK, opt, &g, sizeof g) < 0) ThrowErrno(env, errno, "setsockopt");
  return env.Undefined();
}

Napi::Value SocketSetRcvbuf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t bytes = 0;
  Socket* s = Find(info);
  if (!s || !ReadInt(env, info[1], "bytes", 0, INT32_MAX, &bytes)) return env.Undefined();
  int b = static_cast<int>(bytes);
  if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &b, sizeof b) < 0) {
    ThrowErrno(env, errno, "setsockopt");
  }
  return env.Undefined();
}

// The receive buffer the kernel granted (SO_RCVBUF reads back twice what was set: the kernel counts
// its overhead), which bounds how many replies may wait unread before the kernel drops them.
Napi::Value SocketRcvbuf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Socket* s = Find(info);
  if (!s) return env.Undefined();
  int b = 0;
  socklen_t len = sizeof b;
  if (getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &b, &len) < 0) {
    ThrowErrno(env, errno, "getsockopt");
    return env.Undefined();
  }
  return Napi::Number::New(env, b);
}

// The index of the device named info[1] in the socket's namespace, or 0 if there is none:
// SIOCGIFINDEX on the netlink socket itself, as if_nametoindex(3) does on any socket. It answers at
// once (an RCU hash lookup, no RTNL lock), where an RTM_GETLINK is a round trip whose reply JS can
// only read once the caller's synchronous loop ends: 100,000 route.add calls naming their device
// would wait idle for it.
Napi::Value SocketIfIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  Socket* s = Find(info);
  if (!s || !ReadIfName(env, info[1], false, &name)) return env.Undefined();
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  if (ioctl(s->fd, SIOCGIFINDEX, &ifr) < 0) {
    if (errno == ENODEV) return Napi::Number::New(env, 0);
    ThrowErrno(env, errno, "ioctl");
    return env.Undefined();
  }
  return Napi::Number::New(env, ifr.ifr_ifindex);
}

// The name of the device with index info[1] in the socket's namespace, or undefined if there
// is none: SIOCGIFNAME on the netlink socket, as if_indextoname(3) does on any socket. A dump's
// decoder names the devices of its routes this way, one ioctl per device, instead of dumping
// every link first (a round trip, and all of a host's links decoded) before its own request.
Napi::Value SocketIfName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t index = 0;
  Socket* s = Find(info);
  if (!s || !ReadInt(env, info[1], "index", 1, INT32_MAX, &index)) return env.Undefined();
  ifreq ifr{};
  ifr.ifr_ifindex = static_cast<int>(index);
  if (ioctl(s->fd, SIOCGIFNAME, &ifr) < 0) {
    if (errno == ENODEV) return env.Undefined();
    ThrowErrno(env, errno, "ioctl");
    return env.Undefined();
  }
  return Napi::String::New(env, ifr.ifr_name, strnlen(ifr.ifr_name, sizeof ifr.ifr_name));
}

Napi::Value CloseSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  if (!ReadFd(env, info[0], &fd)) return env.Undefined();
  auto& sockets = env.GetInstanceData<Registry>()->sockets;
  auto it = sockets.find(fd);
  if (it == sockets.end()) return env.Undefined();
  std::unique_ptr<Socket> s = std::move(it->second);
  sockets.erase(it);
  Shutdown(s.get());
  return env.Undefined();
}

}  // namespace rtnl
