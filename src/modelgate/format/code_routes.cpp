// Which library imports each Python file of a directory, and why: files named by configurations
// (transformers auto_map and custom_pipelines, sentence-transformers modules.json, diffusers
// model_index.json), files found by fixed names (custom_generate/generate.py, diffusers'
// pipeline.py), and the modules those import relatively, which transformers' dynamic-module
// loader copies and imports along with them. Each routed file gets an MG-HF-CODE-ROUTE finding
// naming the route, so a report says not only "this is code" but "this code is loaded, by this".
#include <deque>
#include <filesystem>
#include <map>
#include <set>

#include "format/directory_checks.h"
#include "core/rule_catalog.h"

namespace modelgate {

namespace {

std::string directory_of(const std::string& relative) {
  auto slash = relative.rfind('/');
  return slash == std::string::npos ? std::string() : relative.substr(0, slash + 1);
}

std::string normal(const std::string& path) {
  return std::filesystem::path(path).lexically_normal().generic_string();
}

// ".a.b" from directory d -> d/a/b.py; each further leading dot goes one directory up.
std::string relative_module_file(const std::string& dir, const std::string& module) {
  std::size_t dots = module.find_first_not_of('.');
  if (dots == 0 || dots == std::string::npos) return {};
  std::string path = dir;
  for (std::size_t k = 1; k < dots; ++k) path += "../";
  std::string rest = module.substr(dots);
  for (char& c : rest)
    if (c == '.') c = '/';
  return normal(path + rest + ".py");
}

}  // namespace

void annotate_code_routes(const std::vector<WalkEntry>& files, std::vector<ArtifactReport>& reports) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < files.size(); ++i) index[files[i].relative] = i;
  std::map<std::size_t, std::set<std::string>> routes;
  std::deque<std::size_t> pending;
  auto route = [&](const std::string& relative, const std::string& why) {
    auto it = index.find(normal(relative));
    if (it == index.end()) return;
    if (routes[it->second].insert(why).second) pending.push_back(it->second);
  };

  for (std::size_t i = 0; i < files.size(); ++i) {
    const ParsedFacts& parsed = reports[i].parsed;
    const std::string dir = directory_of(files[i].relative);
    const std::string& config = files[i].relative;
    if (parsed.remote_code)
      for (const auto& f : parsed.remote_code->files)
        if (f.find(':') == std::string::npos)
          route(dir + f, "transformers imports it for auto_map/custom_pipelines in " + config +
                             " (get_class_from_dynamic_module, with trust_remote_code)");
    for (const auto& c : parsed.code_files) route(dir + c.file, c.route + " in " + config);
    if (config == "custom_generate/generate.py")
      route(config, "transformers generate(custom_generate=<this repository>, trust_remote_code=True) imports it");
    if (config == "pipeline.py")
      route(config, "diffusers DiffusionPipeline.from_pretrained(custom_pipeline=<this repository>) imports it");
  }
  // Modules imported relatively by a routed module are copied and imported with it.
  while (!pending.empty()) {
    std::size_t i = pending.front();
    pending.pop_front();
    if (!reports[i].parsed.python_imports) continue;
    for (const auto& m : *reports[i].parsed.python_imports)
      if (auto file = relative_module_file(directory_of(files[i].relative), m); !file.empty())
        route(file, "imported relatively by " + files[i].relative);
  }
  for (auto& [i, whys] : routes) {
    std::string message;
    for (const auto& w : whys) message += (message.empty() ? "" : "; ") + w;
    reports[i].add(make_finding(rule("MG-HF-CODE-ROUTE"), reports[i].origin, std::nullopt,
                                "loaded as code: " + message, files[i].relative));
    reports[i].finalize();
  }
}

}  // namespace modelgate
