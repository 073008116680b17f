#include "sandbox/parse_worker.h"

#include <fcntl.h>
#include <iconv.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <utility>

#include "core/rule_catalog.h"
#include "core/byte_reader.h"
#include "core/content_digest.h"
#include "core/lazy_library.h"
#include "sandbox/descriptor_passing.h"
#include "sandbox/fork_gate.h"

namespace modelgate::sandbox {

namespace {

// Descriptor numbers inside the worker.
constexpr int kRequestFd = 3;
constexpr int kResultFd = 4;
// Exit statuses a worker uses for failures it can still name itself.
constexpr int kExitOutOfMemory = 70;
constexpr int kExitException = 71;
constexpr int kExitChannel = 72;
constexpr int kExitLibraryNeeded = 73;  // a parser needs a library the broker loads at first use

constexpr std::size_t kMaxRequest = 64 * 1024;
constexpr char kHelloMagic[4] = {'M', 'G', 'W', 'H'};
constexpr std::size_t kMaxHello = 4096;

bool write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// hello := "MGWH" u8 applied-layer bits (kLayerNames order) u8 landlock ABI u32 n, n bytes of
// missing-layer lines.
std::vector<std::uint8_t> encode_hello(const ConfinementReport& r) {
  std::vector<std::uint8_t> out(kHelloMagic, kHelloMagic + 4);
  std::uint8_t bits = 0;
  for (std::size_t i = 0; i < std::size(kLayerNames); ++i)
    for (const auto& a : r.applied)
      if (a == kLayerNames[i]) bits |= static_cast<std::uint8_t>(1u << i);
  out.push_back(bits);
  out.push_back(static_cast<std::uint8_t>(r.landlock_abi));
  std::string missing;
  for (const auto& m : r.missing) missing += m.substr(0, 200) + "\n";
  put_u32(out, static_cast<std::uint32_t>(missing.size()));
  out.insert(out.end(), missing.begin(), missing.end());
  return out;
}

// One file of a request.
struct RequestedFile {
  std::string origin, name;
  int fd = -1;
};

// One request: u32 n (1 to ParseWorker::kMaxBatch), then n times u32 length, origin; u32 length,
// name; the n files' descriptors as one SCM_RIGHTS message, in the same order.
bool receive_request(std::vector<RequestedFile>& files) {
  static std::uint8_t buf[kMaxRequest];
  const ReceivedMessage m = receive_with_descriptors(kRequestFd, buf, 0);
  if (m.bytes <= 0) ::_exit(m.bytes == 0 ? 0 : kExitChannel);  // the broker closed the channel: done
  if (!m.well_formed) return false;
  ByteReader in(ByteView(buf, static_cast<std::size_t>(m.bytes)));
  std::uint32_t count = 0;
  if (!in.le(count) || count == 0 || count != m.fd_count) return false;
  files.resize(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    files[i].fd = m.fds[i];
    std::uint32_t len = 0;
    ByteView text;
    if (!in.le(len) || !in.bytes(len, text)) return false;
    files[i].origin.assign(as_chars(text));
    if (!in.le(len) || !in.bytes(len, text)) return false;
    files[i].name.assign(as_chars(text));
  }
  return in.at_end();
}

std::shared_ptr<const ByteSource> map_descriptor(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw std::runtime_error("fstat");
  auto mapped = MappedFile::map(fd, static_cast<std::size_t>(st.st_size), TruncationGuard::off);
  if (!mapped) throw std::runtime_error(mapped.error().message());
  return *mapped;
}

// Kept open for the life of the process, so that the conversion module is never unloaded and a
// confined worker's iconv_open() finds it loaded. Volatile: nothing reads the handle, and a store
// the compiler dropped would leave the descriptor unreachable (LeakSanitizer reports it).
iconv_t volatile kept_conversion = reinterpret_cast<iconv_t>(-1);

// What the parsing libraries read from the file system the first time they are used, read before
// confinement: glibc's charset-conversion modules (libarchive converts 7z and tar names), the time
// zone and qsort's memory probe. Once confined, a first use would be an open() and end the worker.
// Done once in the process that forks the workers, which inherit the loaded state: each worker
// doing it again cost a fifth of its time on a directory of small checkpoints. libhdf5 starts in
// the worker that meets an HDF5 file: its start makes no system call but brk and futex.
void load_parsing_libraries() {
  kept_conversion = ::iconv_open("UTF-8", "UTF-16LE");
  ::tzset();  // the time zone, read once: OpenSSL's certificate time checks reach localtime
  // glibc's qsort asks the kernel for the memory size (sysinfo) the first time it sorts more than
  // 1 KiB, and keeps the answer; OpenSSL sorts certificate stores with it.
  int keys[512] = {};
  std::qsort(keys, std::size(keys), sizeof keys[0], [](const void* a, const void* b) {
    return *static_cast<const int*>(a) - *static_cast<const int*>(b);
  });
}

// OpenSSL's configuration and providers (content digests, signature checks): about as long to
// start as a dozen small checkpoints take to scan, so only for workers that may use it.
void load_openssl() { (void)sha256_hex({}); }

void load_parsing_libraries_once(const WorkerConfig& config) {
  static std::once_flag libraries, openssl;
  std::call_once(libraries, load_parsing_libraries);
  if (config.digests) std::call_once(openssl, load_openssl);
}

[[noreturn]] void worker_main(const WorkerJob& job, const WorkerConfig& config) {
  // One thread parsing file after file from the main heap: returning freed memory to the kernel
  // after each file (glibc trims above 128 KiB) would make every file fault its pages in again.
  ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
  forbid_library_loading();
  ConfinementPlan plan;
  plan.request_fd = kRequestFd;
  plan.result_fd = kResultFd;
  plan.data_bytes = config.data_bytes;
  plan.cpu_seconds = config.cpu_seconds;
  auto hello = encode_hello(confine_worker(plan));
  if (!write_all(kResultFd, hello.data(), hello.size())) ::_exit(kExitChannel);
  std::vector<RequestedFile> files;
  for (;;) {
    if (!receive_request(files)) ::_exit(kExitChannel);
    for (const RequestedFile& f : files) {
      std::vector<std::uint8_t> result;
      try {
        if (config.before_parse) config.before_parse(f.name);
        result = job(map_descriptor(f.fd), f.origin, f.name);
      } catch (const std::bad_alloc&) {
        ::_exit(kExitOutOfMemory);
      } catch (const LibraryNeeded&) {
        ::_exit(kExitLibraryNeeded);
      } catch (...) {
        ::_exit(kExitException);
      }
      ::close(f.fd);
      if (!write_all(kResultFd, result.data(), result.size())) ::_exit(kExitChannel);
    }
  }
}

// In the child, before confinement: the channel on fds 3 and 4, every other inherited descriptor
// (other workers' channels, files other threads have open) closed.
void keep_only_channel(int requests, int results) {
  int r = ::fcntl(requests, F_DUPFD, 16);
  int w = ::fcntl(results, F_DUPFD, 16);
  if (r < 0 || w < 0 || ::dup2(r, kRequestFd) < 0 || ::dup2(w, kResultFd) < 0) ::_exit(kExitChannel);
  ::close_range(kResultFd + 1, ~0u, 0);
}

std::string describe_exit(int status, RuleId& rule_id) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    std::string name = sigabbrev_np(sig) ? std::string("SIG") + sigabbrev_np(sig) : "signal " + std::to_string(sig);
    if (sig == SIGSYS) {
      rule_id = "MG-SANDBOX-VIOLATION";
      return "the parse worker made a system call outside its allowlist (" + name + ")";
    }
    if (sig == SIGXCPU || sig == SIGXFSZ) {
      rule_id = "MG-SANDBOX-LIMIT";
      return std::string("the parse worker exceeded its ") + (sig == SIGXCPU ? "CPU time" : "file size") +
             " limit (" + name + ")";
    }
    rule_id = "MG-SANDBOX-CRASH";
    return "the parse worker died by " + name;
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == kExitOutOfMemory) {
    rule_id = "MG-SANDBOX-LIMIT";
    return "the parse worker ran out of its memory limit";
  }
  rule_id = "MG-SANDBOX-CRASH";
  if (code == kExitException) return "the parse worker stopped on an unexpected exception";
  if (code == kExitLibraryNeeded) return "the parse worker needed a library it was started without";
  return "the parse worker exited with status " + std::to_string(code) + " before it returned a result";
}

}  // namespace

std::uint64_t worker_memory_ceiling() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return UINT64_MAX;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 2;
}

WorkerConfig worker_config(const Limits& limits) {
  WorkerConfig c;
  c.timeout = std::chrono::milliseconds(limits.worker_timeout_ms);
  if (!kAddressSanitizer) c.data_bytes = std::min(limits.worker_memory, worker_memory_ceiling());
  // A backstop over the worker's life; the wall-clock timeout is what bounds one file.
  c.cpu_seconds = std::max<std::uint64_t>(1, limits.worker_timeout_ms / 1000) * kFilesPerWorker;
  return c;
}

Expected<std::unique_ptr<ParseWorker>> ParseWorker::start(WorkerJob job, const WorkerConfig& config) {
  auto w = launch(std::move(job), config);
  if (!w) return w;
  if (auto no_hello = (*w)->await_hello()) return *no_hello;
  return w;
}

std::optional<Error> WorkerChannel::open() {
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, requests) != 0)
    return parse_error(0, std::string("socketpair: ") + std::strerror(errno));
  if (::pipe2(results, O_CLOEXEC) != 0) {
    Error error = parse_error(0, std::string("pipe: ") + std::strerror(errno));
    ::close(requests[0]);
    ::close(requests[1]);
    return error;
  }
  return std::nullopt;
}

pid_t fork_for_workers(const WorkerConfig& config, std::uint64_t& library_loads_at_fork) {
  load_parsing_libraries_once(config);
  std::shared_lock no_library_loading(library_loading_lock());
  library_loads_at_fork = library_loads();
  return ::fork();
}

void run_worker(const WorkerChannel& channel, const WorkerJob& job, const WorkerConfig& config) {
  keep_only_channel(channel.requests[1], channel.results[1]);
  worker_main(job, config);
}

Expected<std::unique_ptr<ParseWorker>> ParseWorker::launch(WorkerJob job, const WorkerConfig& config) {
  WorkerChannel channel;
  if (auto unopened = channel.open()) return *unopened;
  std::uint64_t loads;
  const pid_t pid = fork_for_workers(config, loads);
  if (pid == 0) run_worker(channel, job, config);
  ::close(channel.requests[1]);
  ::close(channel.results[1]);
  if (pid < 0) {
    Error error = parse_error(0, std::string("fork: ") + std::strerror(errno));
    ::close(channel.requests[0]);
    ::close(channel.results[0]);
    return error;
  }
  return adopt(pid, channel.requests[0], channel.results[0], config, loads);
}

Expected<std::unique_ptr<ParseWorker>> ParseWorker::adopt(pid_t pid, int requests, int results, const WorkerConfig& config,
                                                          std::uint64_t library_loads_at_fork) {
  auto worker = std::unique_ptr<ParseWorker>(new ParseWorker(pid, requests, results, config));
  worker->library_loads_at_fork_ = library_loads_at_fork;
  // This end only: the worker's end stays blocking. read_exact() polls when nothing is there.
  if (::fcntl(results, F_SETFL, ::fcntl(results, F_GETFL) | O_NONBLOCK) != 0)
    return parse_error(0, std::string("fcntl: ") + std::strerror(errno));  // the destructor kills and reaps the worker
  return worker;
}

std::optional<Error> ParseWorker::await_hello() {
  // The hello, validated like any result.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::uint8_t head[10];
  std::uint32_t missing_len = 0;
  if (read_exact(head, sizeof head, deadline) != Read::ok || std::memcmp(head, kHelloMagic, 4) != 0 ||
      (std::memcpy(&missing_len, head + 6, 4), missing_len > kMaxHello))
    return parse_error(0, "the parse worker did not start");
  std::string missing(missing_len, '\0');
  if (read_exact(reinterpret_cast<std::uint8_t*>(missing.data()), missing_len, deadline) != Read::ok)
    return parse_error(0, "the parse worker did not start");
  for (std::size_t i = 0; i < std::size(kLayerNames); ++i)
    if (head[4] & (1u << i)) confinement_.applied.emplace_back(kLayerNames[i]);
  confinement_.landlock_abi = head[5];
  for (std::size_t at = 0, nl; (nl = missing.find('\n', at)) != std::string::npos; at = nl + 1)
    confinement_.missing.push_back(missing.substr(at, nl - at));
  return std::nullopt;
}

void ParseWorker::stop() {
  for (int* fd : {&requests_, &results_})
    if (*fd >= 0) ::close(std::exchange(*fd, -1));
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    stopped_ = pid_;
    pid_ = -1;
  }
}

bool ParseWorker::reaped() {
  if (stopped_ > 0 && ::waitpid(stopped_, nullptr, WNOHANG) == stopped_) stopped_ = -1;
  return pid_ <= 0 && stopped_ <= 0;
}

ParseWorker::~ParseWorker() {
  stop();
  if (stopped_ > 0) ::waitpid(stopped_, nullptr, 0);
}

ParseWorker::Read ParseWorker::read_exact(std::uint8_t* out, std::size_t n,
                                          std::chrono::steady_clock::time_point deadline) {
  while (n > 0) {
    if (inbox_begin_ < inbox_end_) {
      const std::size_t take = std::min(n, inbox_end_ - inbox_begin_);
      std::memcpy(out, inbox_.get() + inbox_begin_, take);
      inbox_begin_ += take;
      out += take;
      n -= take;
      continue;
    }
    // A result usually arrives whole: one read takes its header, its body and whatever follows
    // into the inbox. Large reads go straight to `out`.
    // Checked before every read, so that a worker dribbling its result cannot outlast the deadline.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Read::timeout;
    const bool direct = n >= kInboxBytes;
    if (!direct && !inbox_) inbox_ = std::make_unique<std::uint8_t[]>(kInboxBytes);
    ssize_t got = ::read(results_, direct ? out : inbox_.get(), direct ? n : kInboxBytes);
    if (got > 0) {
      if (direct) {
        out += got;
        n -= static_cast<std::size_t>(got);
      } else {
        inbox_begin_ = 0;
        inbox_end_ = static_cast<std::size_t>(got);
      }
      continue;
    }
    if (got == 0) return Read::eof;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return Read::eof;
    struct pollfd p = {results_, POLLIN, 0};
    // Waiting holds no lock: another scanning thread may fork a worker meanwhile (fork_gate.h).
    ForkGate* gate = ForkGate::current();
    if (gate) gate->pause();
    int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
    if (gate) gate->resume();
    if (rc == 0) return Read::timeout;
  }
  return Read::ok;
}

WorkerResult ParseWorker::fail(const std::string& origin, std::uint64_t size, RuleId fallback_rule,
                               std::string why) {
  RuleId rule_id = fallback_rule;
  int status = 0;
  // A worker that closed its pipe is exiting or dead: reap it (for up to a second) to learn why.
  if (fallback_rule.view() == "MG-SANDBOX-CRASH") {
    pid_t done = 0;
    for (int i = 0; i < 200 && (done = ::waitpid(pid_, &status, WNOHANG)) == 0; ++i) ::usleep(5000);
    if (done == pid_) {
      why = describe_exit(status, rule_id);
      library_needed_ = WIFEXITED(status) && WEXITSTATUS(status) == kExitLibraryNeeded;
      pid_ = -1;
    }
  }
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  ArtifactReport r;
  r.origin = origin;
  r.format = "unknown";
  r.size = size;
  r.add(make_finding(rule(rule_id), origin, std::nullopt, std::move(why)));
  r.finalize();
  return {std::move(r), {}};
}

bool ParseWorker::fits_request(std::span<const Request> files) {
  std::size_t bytes = 4;
  for (const Request& f : files) bytes += 8 + f.origin->size() + f.name->size();
  return bytes <= kMaxRequest;
}

ParseWorker::Submit ParseWorker::submit(std::span<const Request> files, bool wait) {
  if (files.empty() || files.size() > kMaxBatch || !fits_request(files)) return Submit::too_long;
  std::vector<std::uint8_t> request;
  put_u32(request, static_cast<std::uint32_t>(files.size()));
  for (const Request& f : files) {
    put_u32(request, static_cast<std::uint32_t>(f.origin->size()));
    request.insert(request.end(), f.origin->begin(), f.origin->end());
    put_u32(request, static_cast<std::uint32_t>(f.name->size()));
    request.insert(request.end(), f.name->begin(), f.name->end());
  }
  std::array<int, kMaxBatch> fds{};
  for (std::size_t i = 0; i < files.size(); ++i) fds[i] = files[i].fd;
  const ssize_t sent = send_with_descriptors(requests_, request, std::span(fds.data(), files.size()),
                                             MSG_NOSIGNAL | (wait ? 0 : MSG_DONTWAIT));
  if (sent < 0 && !wait && (errno == EAGAIN || errno == EWOULDBLOCK)) return Submit::full;
  if (sent != static_cast<ssize_t>(request.size())) return Submit::gone;
  files_ += static_cast<unsigned>(files.size());
  queued_ += static_cast<unsigned>(files.size());
  return Submit::queued;
}

WorkerResult ParseWorker::run(int fd, const std::string& origin, const std::string& name, std::uint64_t size) {
  const Request file{fd, &origin, &name};
  switch (submit({&file, 1}, true)) {
    case Submit::queued: return collect(origin, size);
    case Submit::too_long:
      return fail(origin, size, "MG-SANDBOX-CRASH", "the file's path is too long to pass to a parse worker");
    case Submit::full:
    case Submit::gone: break;
  }
  return fail(origin, size, "MG-SANDBOX-CRASH", "the parse worker is gone");
}

WorkerResult ParseWorker::collect(const std::string& origin, std::uint64_t size) {
  --queued_;
  auto deadline = std::chrono::steady_clock::now() + config_.timeout;
  std::vector<std::uint8_t> result(kResultHeaderSize);
  auto timeout_text = [&] {
    return "the parse worker did not finish within " + std::to_string(config_.timeout.count()) + " ms";
  };
  switch (read_exact(result.data(), kResultHeaderSize, deadline)) {
    case Read::ok: break;
    case Read::eof: return fail(origin, size, "MG-SANDBOX-CRASH", "the parse worker stopped without a result");
    case Read::timeout: return fail(origin, size, "MG-SANDBOX-TIMEOUT", timeout_text());
  }
  auto body = result_body_length(result, config_.bounds);
  if (!body) return fail(origin, size, "MG-SANDBOX-MALFORMED-RESULT", "the parse worker's result: " + body.error().reason);
  // Grown as the bytes arrive, so that a declared length alone allocates nothing.
  for (std::uint64_t done = 0; done < *body;) {
    const std::size_t at = result.size();
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(*body - done, 1u << 20));
    result.resize(at + n);
    switch (read_exact(result.data() + at, n, deadline)) {
      case Read::ok: break;
      case Read::eof: return fail(origin, size, "MG-SANDBOX-CRASH", "the parse worker stopped in the middle of its result");
      case Read::timeout: return fail(origin, size, "MG-SANDBOX-TIMEOUT", timeout_text());
    }
    done += n;
  }
  auto report = decode_result(result, config_.bounds);
  if (!report)
    return fail(origin, size, "MG-SANDBOX-MALFORMED-RESULT",
                "the parse worker's result at byte " + std::to_string(report.error().offset) + ": " + report.error().reason);
  return std::move(*report);
}

}  // namespace modelgate::sandbox
