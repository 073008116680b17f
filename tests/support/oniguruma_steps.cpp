#include "support/oniguruma_steps.h"

#include <oniguruma.h>
#include <time.h>

namespace mgtest {

OnigurumaSearch oniguruma_search(const std::string& pattern, const std::string& text, unsigned long limit) {
  static const bool initialised = [] {
    OnigEncoding encodings[] = {ONIG_ENCODING_UTF8};
    return onig_initialize(encodings, 1) == ONIG_NORMAL;
  }();
  if (!initialised) return {OnigurumaOutcome::not_compiled, 0};
  regex_t* re = nullptr;
  OnigErrorInfo info;
  const auto* p = reinterpret_cast<const OnigUChar*>(pattern.data());
  if (onig_new(&re, p, p + pattern.size(), ONIG_OPTION_NONE, ONIG_ENCODING_UTF8, ONIG_SYNTAX_RUBY, &info) != ONIG_NORMAL)
    return {OnigurumaOutcome::not_compiled, 0};
  onig_set_retry_limit_in_match(limit);
  OnigRegion* region = onig_region_new();
  const auto* t = reinterpret_cast<const OnigUChar*>(text.data());
  auto cpu = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  };
  const double start = cpu();
  const int r = onig_search(re, t, t + text.size(), t, t + text.size(), region, ONIG_OPTION_NONE);
  const double spent = cpu() - start;
  onig_region_free(region, 1);
  onig_free(re);
  return {r == ONIGERR_RETRY_LIMIT_IN_MATCH_OVER ? OnigurumaOutcome::stopped_at_limit : OnigurumaOutcome::finished, spent};
}

}  // namespace mgtest
