// Text and JSON renderings of a conversion report.
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/escaped_text.h"
#include "core/json_text.h"
#include "modelgate/convert.h"

namespace modelgate {

namespace {

std::string human_bytes(std::uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

nlohmann::json conversion_json(const ConversionReport& r) {
  nlohmann::json j;
  j["schema"] = "modelgate.convert/1";
  j["input"] = r.input;
  j["output"] = r.output;
  j["directory"] = r.directory;
  j["exit_code"] = r.exit_code();
  // The keys convert/1 has always had, also when the mode is off.
  j["sandbox"] = {{"mode", to_string(r.sandbox.mode)}, {"layers", r.sandbox.layers}, {"missing", r.sandbox.missing}};
  j["files"] = nlohmann::json::array();
  for (const auto& f : r.files) {
    nlohmann::json x;
    x["input"] = f.input;
    x["output"] = f.output;
    x["outcome"] = std::string(to_string(f.outcome));
    x["reason"] = f.reason;
    x["format"] = f.format;
    x["scan_status"] = std::string(to_string(f.scan_status));
    x["findings"] = f.findings;
    x["tensors"] = f.tensors;
    x["bytes"] = f.bytes;
    x["aliases"] = nlohmann::json::object();
    for (const auto& [name, kept] : f.aliases) x["aliases"][name] = kept;
    x["dropped"] = f.dropped;
    x["metadata"] = f.metadata;
    j["files"].push_back(std::move(x));
  }
  j["errors"] = r.errors;
  j["removed_temps"] = r.removed_temps;
  return j;
}

}  // namespace

std::string render_conversion_text(const ConversionReport& r) {
  std::ostringstream o;
  for (const auto& f : r.files) {
    std::string outcome(to_string(f.outcome));
    o << outcome << std::string(10 - std::min<std::size_t>(outcome.size(), 9), ' ') << escape_for_terminal(f.input);
    if (!f.output.empty()) o << " -> " << escape_for_terminal(f.output);
    if (f.outcome == FileOutcome::converted && f.tensors > 0)
      o << " (" << f.tensors << " tensors, " << human_bytes(f.bytes) << ")";
    if (!f.reason.empty()) o << ": " << escape_for_terminal(f.reason);
    o << '\n';
    if (f.outcome == FileOutcome::refused || f.outcome == FileOutcome::skipped)
      for (const auto& why : f.findings) o << "  finding   " << escape_for_terminal(why) << '\n';
    for (const auto& [name, kept] : f.aliases) o << "  alias     " << escape_for_terminal(name) << " = " << escape_for_terminal(kept) << '\n';
    for (const auto& d : f.dropped) o << "  dropped   " << escape_for_terminal(d) << '\n';
    if (f.outcome == FileOutcome::converted)
      for (const auto& [k, v] : f.metadata) {
        bool alias = false;
        for (const auto& a : f.aliases) alias = alias || a.first == k;
        if (!alias) o << "  metadata  " << escape_for_terminal(k) << " = " << escape_for_terminal(v) << '\n';
      }
  }
  for (const auto& t : r.removed_temps)
    o << "removed   " << escape_for_terminal(t) << ": a temporary left by an interrupted run\n";
  for (const auto& e : r.errors) o << "error     " << escape_for_terminal(e) << '\n';
  return o.str();
}


std::string render_conversion_json(const ConversionReport& report) { return json_text(conversion_json(report), 2); }

}  // namespace modelgate
