#include "walk/walk.h"

#include <algorithm>
#include <system_error>

#include "core/path_within.h"

namespace modelgate {

namespace fs = std::filesystem;

WalkResult walk_directory(const fs::path& root, const std::string& origin, const fs::path& containment) {
  WalkResult out;
  std::error_code ec;
  fs::path canonical_root = fs::canonical(containment.empty() ? root : containment, ec);
  auto report = [&](const std::string& rel, const char* rule_id, std::string msg) {
    out.findings.push_back(make_finding(rule(rule_id), origin + "/" + rel, std::nullopt, std::move(msg)));
  };
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) {
    out.findings.push_back(make_finding(rule("MG-IO-ERROR"), origin, std::nullopt,
                                        "cannot list directory: " + ec.message()));
    return out;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      out.findings.push_back(make_finding(rule("MG-IO-ERROR"), origin, std::nullopt,
                                          "cannot list directory: " + ec.message()));
      break;
    }
    const fs::path& p = it->path();
    // Lexical: fs::relative would resolve a link and name its target instead of the entry.
    std::string rel = p.lexically_relative(root).generic_string();
    auto st = it->symlink_status(ec);
    if (fs::is_symlink(st)) {
      fs::path target = fs::canonical(p, ec);
      if (ec || !path_is_within(target, canonical_root)) {
        // A dangling link is not followed either: what it will point to is not known.
        bool dangling = static_cast<bool>(ec);
        report(rel, "MG-WALK-SYMLINK-ESCAPE",
               std::string(dangling ? "symbolic link is dangling (to " : "symbolic link points outside the scanned directory (to ") +
                   fs::read_symlink(p, ec).string() + "); not followed");
        continue;
      }
      if (fs::is_directory(target)) continue;  // its files are inside the root: seen directly
      if (fs::is_regular_file(target)) out.files.push_back({p, rel});
      continue;
    }
    if (fs::is_directory(st)) continue;
    if (fs::is_regular_file(st)) {
      out.files.push_back({p, rel});
      continue;
    }
    report(rel, "MG-WALK-SPECIAL-FILE", "not a regular file (device, FIFO or socket); not read");
  }
  std::sort(out.files.begin(), out.files.end(),
            [](const WalkEntry& a, const WalkEntry& b) { return a.relative < b.relative; });
  return out;
}

}  // namespace modelgate
