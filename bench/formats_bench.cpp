// Header validation cost of data-only formats does not depend on the size of the tensor data.
// Sparse safetensors files of 20 MB, 2 GB and 20 GB with the same 291-tensor header are
// created in /tmp (ftruncate: no disk space used) and deleted afterwards; the benchmark maps
// each file and validates its layout, as `modelgate scan` does.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "core/bytes.h"
#include "readers/gguf.h"
#include "readers/safetensors.h"
#include "modelgate/scan.h"

namespace {

namespace fs = std::filesystem;

constexpr int kTensors = 291;  // a Llama-style layer count's worth of weights

// Writes the header of a safetensors file whose tensors total about `total` bytes, then extends
// the file sparsely to its full size.
fs::path make_sparse_safetensors(std::uint64_t total) {
  const std::uint64_t per = (total / kTensors) / 4096 / 2 * 4096 * 2;  // F16 rows of 4096
  std::string header = "{\"__metadata__\":{\"format\":\"pt\"}";
  std::uint64_t offset = 0;
  for (int i = 0; i < kTensors; ++i) {
    std::uint64_t rows = per / (4096 * 2);
    header += ",\"model.layers." + std::to_string(i) + ".weight\":{\"dtype\":\"F16\",\"shape\":[" +
              std::to_string(rows) + ",4096],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + per) + "]}";
    offset += per;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');
  fs::path path = fs::temp_directory_path() / ("modelgate-bench-" + std::to_string(total) + "-" +
                                                std::to_string(::getpid()) + ".safetensors");
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  if (fd < 0) return {};
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>((header.size() >> (8 * i)) & 0xff);
  bool ok = ::write(fd, len, 8) == 8 &&
            ::write(fd, header.data(), header.size()) == static_cast<ssize_t>(header.size()) &&
            ::ftruncate(fd, static_cast<off_t>(8 + header.size() + offset)) == 0;
  ::close(fd);
  if (!ok) return {};
  return path;
}

void BM_SafetensorsHeader(benchmark::State& state) {
  const std::uint64_t total = static_cast<std::uint64_t>(state.range(0)) << 20;
  fs::path path = make_sparse_safetensors(total);
  if (path.empty()) {
    state.SkipWithError("cannot create the sparse file");
    return;
  }
  modelgate::Limits limits;
  std::size_t tensors = 0;
  for (auto _ : state) {
    auto mapped = modelgate::MappedFile::open(path);
    auto parsed = modelgate::safetensors::parse((*mapped)->bytes(), limits);
    if (!parsed.ok()) state.SkipWithError(parsed.error().reason.c_str());
    else tensors = parsed->tensors.size();
    benchmark::DoNotOptimize(parsed);
  }
  state.counters["file_GB"] = static_cast<double>(fs::file_size(path)) / 1e9;
  state.counters["tensors"] = static_cast<double>(tensors);
  fs::remove(path);
}
BENCHMARK(BM_SafetensorsHeader)->Arg(20)->Arg(2 << 10)->Arg(20 << 10)->Unit(benchmark::kMicrosecond);

// The whole scanner on the 20 GB file: identify, validate, facts, metadata heuristics.
void BM_ScanSparse20GB(benchmark::State& state) {
  fs::path path = make_sparse_safetensors(20ull << 30);
  if (path.empty()) {
    state.SkipWithError("cannot create the sparse file");
    return;
  }
  modelgate::ScanOptions options;
  options.threads = 1;
  for (auto _ : state) {
    auto result = modelgate::scan_paths({path}, options);
    if (result.artifacts.empty() || result.artifacts[0].status != modelgate::Status::safe)
      state.SkipWithError("the file was not safe");
    benchmark::DoNotOptimize(result);
  }
  fs::remove(path);
}
BENCHMARK(BM_ScanSparse20GB)->Unit(benchmark::kMicrosecond);

// A GGUF v3 file of about `total` bytes: a 32000-token vocabulary, a chat template and 291 F16
// tensors, extended sparsely.
fs::path make_sparse_gguf(std::uint64_t total) {
  auto u32 = [](std::string& o, std::uint32_t v) { for (int i = 0; i < 4; ++i) o += static_cast<char>((v >> (8 * i)) & 0xff); };
  auto u64 = [](std::string& o, std::uint64_t v) { for (int i = 0; i < 8; ++i) o += static_cast<char>((v >> (8 * i)) & 0xff); };
  auto str = [&](std::string& o, const std::string& s) { u64(o, s.size()); o += s; };
  std::string out = "GGUF";
  u32(out, 3);
  u64(out, kTensors);
  u64(out, 3);
  str(out, "general.architecture"); u32(out, 8); str(out, "llama");
  str(out, "tokenizer.chat_template"); u32(out, 8);
  str(out, "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}{% endfor %}");
  str(out, "tokenizer.ggml.tokens"); u32(out, 9); u32(out, 8); u64(out, 32000);
  for (int i = 0; i < 32000; ++i) str(out, "tok" + std::to_string(i));
  const std::uint64_t rows = (total / kTensors) / (4096 * 2);
  const std::uint64_t per = rows * 4096 * 2;  // a multiple of 32: no padding between tensors
  for (int i = 0; i < kTensors; ++i) {
    str(out, "blk." + std::to_string(i) + ".weight");
    u32(out, 2); u64(out, 4096); u64(out, rows); u32(out, 1); u64(out, per * i);
  }
  out.append((32 - out.size() % 32) % 32, '\0');
  fs::path path = fs::temp_directory_path() / ("modelgate-bench-" + std::to_string(total) + "-" +
                                                std::to_string(::getpid()) + ".gguf");
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  if (fd < 0) return {};
  bool ok = ::write(fd, out.data(), out.size()) == static_cast<ssize_t>(out.size()) &&
            ::ftruncate(fd, static_cast<off_t>(out.size() + per * kTensors)) == 0;
  ::close(fd);
  if (!ok) return {};
  return path;
}

void BM_GgufHeader(benchmark::State& state) {
  const std::uint64_t total = static_cast<std::uint64_t>(state.range(0)) << 20;
  fs::path path = make_sparse_gguf(total);
  if (path.empty()) {
    state.SkipWithError("cannot create the sparse file");
    return;
  }
  modelgate::Limits limits;
  for (auto _ : state) {
    auto mapped = modelgate::MappedFile::open(path);
    auto parsed = modelgate::gguf::parse((*mapped)->bytes(), limits);
    if (!parsed.ok()) state.SkipWithError(parsed.error().reason.c_str());
    benchmark::DoNotOptimize(parsed);
  }
  state.counters["file_GB"] = static_cast<double>(fs::file_size(path)) / 1e9;
  fs::remove(path);
}
BENCHMARK(BM_GgufHeader)->Arg(20)->Arg(20 << 10)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
