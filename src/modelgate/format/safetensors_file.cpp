// A safetensors file: the header is validated strictly; tensor data is never read.
#include <map>

#include "readers/safetensors.h"
#include "core/rule_catalog.h"
#include "format/suspicious_text.h"
#include "format/scanners.h"

namespace modelgate {

void scan_safetensors_file(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  auto parsed = safetensors::parse(a.bytes, ctx.limits());
  if (!parsed.ok()) {
    const Error& e = parsed.error();
    report.add(make_finding(rule(e.rule), a.origin, e.offset, e.reason));
    return;
  }
  const safetensors::File& file = *parsed;

  std::uint64_t parameters = 0;
  std::map<std::string, std::uint64_t> dtypes;
  // Data offsets count from the end of the header: 8 bytes of its length, then the header.
  const std::uint64_t data_start = 8 + file.header_length;
  const bool listed = file.tensors.size() <= ctx.limits().max_listed_tensors;
  for (const auto& t : file.tensors) {
    parameters += t.elements;  // cannot overflow: each tensor's bytes lie inside the file
    ++dtypes[std::string(safetensors::dtype_name(t.dtype))];
    if (listed)
      report.model.tensors.push_back(
          {t.name, std::string(safetensors::dtype_name(t.dtype)), t.shape, {}, data_start + t.begin, data_start + t.end});
  }
  report.model.tensor_count = file.tensors.size();
  report.details.safetensors = SafetensorsDetails{file.header_length, file.tensors.size(), parameters, dtypes,
                                                  file.has_metadata ? std::optional(file.metadata) : std::nullopt};
  report.model.parameters = parameters;
  report.model.dtypes = dtypes;

  for (const auto& [key, value] : file.metadata) {
    auto hit = find_suspicious_text(value);
    if (!hit) continue;
    report.add(make_finding(rule("MG-SAFETENSORS-METADATA-SUSPICIOUS"), a.origin, std::nullopt,
                            "__metadata__ value of \"" + text_snippet(key, 60) + "\" looks like " +
                                std::string(hit->kind) + " (contains \"" +
                                std::string(hit->pattern) + "\")",
                            text_snippet(value)));
  }
}

}  // namespace modelgate
