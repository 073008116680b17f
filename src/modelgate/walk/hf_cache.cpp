#include "walk/hf_cache.h"

#include <cstdlib>
#include <map>
#include <set>

#include "core/regular_file.h"
#include "modelgate/scan.h"

namespace modelgate {

namespace fs = std::filesystem;

fs::path default_hf_cache() {
  if (const char* c = std::getenv("HF_HUB_CACHE"); c && *c) return c;
  if (const char* h = std::getenv("HF_HOME"); h && *h) return fs::path(h) / "hub";
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : ".") / ".cache" / "huggingface" / "hub";
}

namespace {

bool commit_hash(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

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

// "a/b/c" -> {"a", "b/c"}; no slash -> {"a", ""}.
std::pair<std::string, std::string> split_first_component(const std::string& path) {
  std::size_t slash = path.find('/');
  if (slash == std::string::npos) return {path, {}};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

bool is_empty_regular_file(const fs::path& p) {
  std::error_code ec;
  return fs::file_size(p, ec) == 0 && !ec;
}

std::string why_not_a_cache(const fs::path& root) {
  std::error_code ec;
  auto st = fs::status(root, ec);
  if (ec) return root.string() + ": " + ec.message() + "; not a Hugging Face hub cache";
  if (!fs::is_directory(st)) return root.string() + ": not a directory, so not a Hugging Face hub cache";
  fs::directory_iterator it(root, ec), end;
  if (ec) return root.string() + ": cannot list: " + ec.message();
  for (; it != end; it.increment(ec)) {
    if (ec) return root.string() + ": cannot list: " + ec.message();
    std::error_code ec2;
    if (!it->is_symlink(ec2) && it->is_directory(ec2) && !repo_id(it->path().filename().string()).empty())
      return {};
  }
  std::string hint = fs::is_directory(root / "hub", ec) ? " (did you mean " + (root / "hub").string() + "?)" : "";
  return root.string() + " is not a Hugging Face hub cache: it holds no models--*, datasets--* or spaces--* "
                         "directory" + hint;
}

}  // namespace

std::optional<fs::path> hf_snapshot_repository(const fs::path& dir) {
  std::error_code ec;
  const fs::path snapshot = fs::canonical(dir, ec);
  if (ec || snapshot.parent_path().filename() != "snapshots") return std::nullopt;
  const fs::path repository = snapshot.parent_path().parent_path();
  if (repo_id(repository.filename().string()).empty() || !fs::is_directory(repository / "blobs", ec)) return std::nullopt;
  return repository;
}

HfCacheListing list_hf_cache(const fs::path& given_root, std::uint32_t max_depth) {
  HfCacheListing listing;
  listing.not_a_cache = why_not_a_cache(given_root);
  if (!listing.not_a_cache.empty()) return listing;
  HfCache out;
  std::error_code ec;
  out.root = fs::canonical(given_root, ec);
  if (ec) out.root = given_root;
  // One walk over the whole cache; every entry is then placed by its path.
  WalkResult w = walk_directory(out.root, out.root.string(), max_depth, out.root);
  for (auto& f : w.findings) out.notes.push_back({"", "unread-directory", std::move(f)});

  std::map<std::pair<std::string, std::string>, HfSnapshot> snapshots;  // (repo dir, revision)
  std::map<std::string, std::vector<std::string>> refs;                 // "repo dir\nrevision" -> ref names
  std::set<fs::path> linked_blobs;
  struct RefFile {
    const WalkEntry* entry;
    std::string repo_dir, revision;
  };
  std::vector<RefFile> ref_files;
  std::vector<const WalkEntry*> blobs;
  auto stray = [&](const WalkEntry& f, std::string why) {
    out.strays.push_back({f.relative, f.path, f.beneath, f.via_link});
    out.stray_reasons.push_back(std::move(why));
  };
  for (const auto& f : w.files) {
    auto [repo_dir, in_repo] = split_first_component(f.relative);
    std::string id = repo_id(repo_dir);
    auto [area, rest] = split_first_component(in_repo);
    if (f.relative == "version.txt" || f.relative == "CACHEDIR.TAG") continue;
    if ((repo_dir == ".locks" || area == ".no_exist") && !f.via_link && is_empty_regular_file(f.path)) continue;
    if (id.empty() || in_repo.empty()) {
      stray(f, "outside any repository directory");
    } else if (area == "snapshots") {
      auto [revision, inside] = split_first_component(rest);
      if (inside.empty()) {
        stray(f, "a file where a snapshot revision directory belongs");
        continue;
      }
      HfSnapshot& s = snapshots[{repo_dir, revision}];
      s.files.push_back({inside, f.path, f.beneath, f.via_link});
      if (f.via_link) linked_blobs.insert(f.path);
    } else if (area == "blobs" && !f.via_link && rest.find('/') == std::string::npos) {
      blobs.push_back(&f);
    } else if (area == "refs" && !f.via_link) {
      auto text = read_small_file(f.path, 4096);
      if (!text) {
        stray(f, "a ref that cannot be read: " + text.error().message());
        continue;
      }
      // huggingface_hub takes the whole file as the commit hash and joins it onto snapshots/: a line
      // break and more after it would lead the loader somewhere this listing does not look.
      const std::string& revision = *text;
      if (!commit_hash(revision)) {
        stray(f, "a ref that is not a 40-character commit hash (the hub joins its whole text onto snapshots/)");
        continue;
      }
      ref_files.push_back({&f, repo_dir, revision});
      refs[repo_dir + '\n' + revision].push_back(rest);
    } else {
      stray(f, "outside the snapshots/, blobs/ and refs/ layout");
    }
  }
  for (const WalkEntry* b : blobs)
    if (!linked_blobs.count(b->path)) stray(*b, "a blob no snapshot links to");

  // Revisions without files still have a report; a listing error is a walk note already.
  for (const auto& n : w.notes) {
    auto [repo_dir, in_repo] = split_first_component(n.relative);
    auto [area, rest] = split_first_component(in_repo);
    auto [revision, inside] = split_first_component(rest);
    if (!repo_id(repo_dir).empty() && area == "snapshots" && !inside.empty()) {
      WalkNote moved = n;
      moved.relative = inside;
      moved.finding.origin = "hf://" + repo_id(repo_dir) + "@" + revision + "/" + inside;
      snapshots[{repo_dir, revision}].notes.push_back(std::move(moved));
    } else {
      out.notes.push_back(n);
    }
  }
  for (const auto& repo : fs::directory_iterator(out.root, ec)) {
    std::string repo_dir = repo.path().filename().string();
    std::error_code ec2;
    if (repo_id(repo_dir).empty() || repo.is_symlink(ec2) || !fs::is_directory(repo.path() / "snapshots", ec2))
      continue;
    for (const auto& rev : fs::directory_iterator(repo.path() / "snapshots", ec2))
      if (!rev.is_symlink(ec2) && rev.is_directory(ec2)) snapshots[{repo_dir, rev.path().filename().string()}];
  }
  // A ref that names no snapshot (a hash never downloaded, "../..", garbage) is reported, not dropped.
  for (const auto& r : ref_files)
    if (!snapshots.count({r.repo_dir, r.revision}))
      stray(*r.entry, "a ref naming no snapshot revision (\"" + r.revision.substr(0, 80) + "\")");
  for (auto& [key, s] : snapshots) {
    s.repo = repo_id(key.first);
    s.revision = key.second;
    s.refs = refs[key.first + '\n' + key.second];
    out.snapshots.push_back(std::move(s));
  }
  listing.cache = std::move(out);
  return listing;
}

}  // namespace modelgate
