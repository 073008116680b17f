// Chat-template analysis speed: the benign corpus one template at a time, and one large
// template built by repeating the corpus up to ~900 KiB (under the 1 MiB default limit).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "template/chat_template.h"

namespace {

std::vector<std::string> corpus() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(MODELGATE_SOURCE_DIR_BENCH) /
                                                           "tests/fixtures/templates/benign")) {
    std::ifstream in(e.path(), std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

void BM_CorpusTemplates(benchmark::State& state) {
  auto texts = corpus();
  std::size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  modelgate::Limits limits;
  for (auto _ : state)
    for (const auto& t : texts) benchmark::DoNotOptimize(modelgate::chat_template_report(t, "t", limits));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_CorpusTemplates);

void BM_LargeTemplate(benchmark::State& state) {
  auto texts = corpus();
  std::string big;
  while (big.size() < 900 * 1024)
    for (const auto& t : texts) big += t;
  modelgate::Limits limits;
  for (auto _ : state) {
    auto r = modelgate::chat_template_report(big, "big", limits);
    if (r.status != modelgate::Status::safe) state.SkipWithError("large template not safe");
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * big.size()));
  state.counters["template_bytes"] = static_cast<double>(big.size());
}
BENCHMARK(BM_LargeTemplate)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
