#include "walk/hf_cache.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>

#include "walk/walk.h"

namespace modelgate {

namespace fs = std::filesystem;

fs::path default_hf_cache() {
  if (const char* c = std::getenv("HF_HUB_CACHE"); c && *c) return c;
  if (const char* h = std::getenv("HF_HOME"); h && *h) return fs::path(h) / "hub";
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : ".") / ".cache" / "huggingface" / "hub";
}

namespace {

// "models--org--name" -> "model:org/name"
std::string repo_id(const std::string& dir) {
  static const std::pair<const char*, const char*> kinds[] = {
      {"models--", "model:"}, {"datasets--", "dataset:"}, {"spaces--", "space:"}};
  for (auto [prefix, kind] : kinds) {
    std::string_view p(prefix);
    if (dir.compare(0, p.size(), p) != 0) continue;
    std::string out = kind;
    for (std::size_t i = p.size(); i < dir.size(); ++i) {
      if (dir[i] == '-' && i + 1 < dir.size() && dir[i + 1] == '-') {
        out += '/';
        ++i;
      } else {
        out += dir[i];
      }
    }
    return out;
  }
  return {};
}

}  // namespace

HfCache list_hf_cache(const fs::path& root) {
  HfCache out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    out.findings.push_back(make_finding(rule("MG-IO-ERROR"), root.string(), std::nullopt,
                                        "not a Hugging Face cache directory"));
    return out;
  }
  std::vector<fs::path> repos;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.is_directory(ec) && !repo_id(e.path().filename().string()).empty()) repos.push_back(e.path());
  std::sort(repos.begin(), repos.end());
  for (const auto& repo : repos) {
    std::string id = repo_id(repo.filename().string());
    std::map<std::string, std::vector<std::string>> refs_by_rev;
    fs::path refs = repo / "refs";
    if (fs::is_directory(refs, ec))
      for (const auto& r : fs::recursive_directory_iterator(refs, ec)) {
        if (!r.is_regular_file(ec)) continue;
        std::ifstream in(r.path());
        std::string rev;
        std::getline(in, rev);
        refs_by_rev[rev].push_back(fs::relative(r.path(), refs, ec).generic_string());
      }
    fs::path snaps = repo / "snapshots";
    if (!fs::is_directory(snaps, ec)) continue;
    std::vector<fs::path> revs;
    for (const auto& s : fs::directory_iterator(snaps, ec))
      if (s.is_directory(ec)) revs.push_back(s.path());
    std::sort(revs.begin(), revs.end());
    for (const auto& rev : revs) {
      HfSnapshot snap;
      snap.repo = id;
      snap.revision = rev.filename().string();
      snap.refs = refs_by_rev[snap.revision];
      // Symlinks are followed only when they stay inside the cache root (blobs/ of this repo in
      // practice); the walk reports the others.
      WalkResult w = walk_directory(rev, "hf://" + id + "@" + snap.revision, root);
      snap.findings = std::move(w.findings);
      for (auto& f : w.files) {
        std::error_code ec2;
        fs::path target = fs::canonical(f.path, ec2);
        snap.files.push_back({std::move(f.relative), ec2 ? f.path : target});
      }
      out.snapshots.push_back(std::move(snap));
    }
  }
  return out;
}

}  // namespace modelgate
