// Throughput of the pickle machine over an opcode-dense pickle (MG_BENCH_PICKLE, default
// /tmp/modelgate-dense.pkl; bench/pickle_bench.sh generates it).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

#include "core/bytes.h"
#include "pickle/machine.h"
#include "support/machine_reference.h"

namespace {

std::shared_ptr<modelgate::MappedFile> load() {
  const char* env = std::getenv("MG_BENCH_PICKLE");
  std::string path = env ? env : "/tmp/modelgate-dense.pkl";
  auto f = modelgate::MappedFile::open(path);
  if (!f) {
    std::cerr << path << ": " << f.error().message() << " (run bench/pickle_bench.sh)\n";
    return nullptr;
  }
  return *f;
}

// run_machine, or with reference=true the machine without its plain path (every opcode through
// the exact per-opcode loop), for comparison.
template <bool reference>
void BM_PickleMachine(benchmark::State& state) {
  static auto file = load();
  if (!file) {
    state.SkipWithError("no input file");
    return;
  }
  static const auto allowlist = modelgate::pickle::Allowlist::from_profiles({"torch", "python-data", "numpy"}, {});
  modelgate::Limits limits;
  modelgate::pickle::MachineOptions o;
  o.allowlist = &*allowlist;
  o.limits = &limits;
  for (auto _ : state) {
    auto r = reference ? modelgate::pickle::run_machine_reference(file->bytes(), 0, "bench", o)
                       : modelgate::pickle::run_machine(file->bytes(), 0, "bench", o);
    if (!r.complete) state.SkipWithError("stream did not complete");
    benchmark::DoNotOptimize(r.opcodes);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(file->bytes().size()));
}
BENCHMARK(BM_PickleMachine<false>)->Name("BM_PickleMachine")->Unit(benchmark::kMillisecond)->MinTime(3.0);
BENCHMARK(BM_PickleMachine<true>)->Name("BM_PickleMachineWithoutPlainPath")->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace

BENCHMARK_MAIN();
