#include "convert/directory_conversion.h"

#include <sys/sendfile.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <regex>
#include <set>

#include "convert/checkpoint_conversion.h"
#include "convert/safetensors_writer.h"

namespace modelgate::convert {

namespace fs = std::filesystem;

namespace {

const std::regex kShard(R"(pytorch_model-(\d+)-of-(\d+)\.bin)");
constexpr const char* kIndex = "pytorch_model.bin.index.json";

bool is_weight_name(const std::string& rel) {
  return rel == "pytorch_model.bin" || std::regex_match(rel, kShard);
}

// Formats whose loading unpickles: never copied, converted or skipped.
bool is_pickle_based(const std::string& format) {
  return format == "pickle" || format == "joblib" || format == "joblib-compressed" ||
         format.rfind("pytorch", 0) == 0 || format.rfind("torch", 0) == 0;
}

Expected<bool> copy_atomically(const InputFile& in, const fs::path& out, bool force, bool durable) {
  auto file = AtomicFile::create(out, force, durable);
  if (!file) return file.error();
  auto bytes = in.bytes();
  off64_t off = 0;
  std::uint64_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::copy_file_range(in.fd(), &off, file->fd(), nullptr, bytes.size() - done, 0);
    if (n <= 0) break;
    done += static_cast<std::uint64_t>(n);
  }
  if (done < bytes.size() && !write_all(file->fd(), bytes.data() + done, bytes.size() - done))
    return parse_error(0, "writing " + out.string() + ": " + std::strerror(errno));
  return file->commit();
}

}  // namespace

std::string safetensors_name(const std::string& name) {
  if (name == "pytorch_model.bin") return "model.safetensors";
  std::smatch m;
  if (std::regex_match(name, m, kShard)) return "model-" + m[1].str() + "-of-" + m[2].str() + ".safetensors";
  auto dot = name.rfind('.');
  return (dot == std::string::npos || dot == 0 ? name : name.substr(0, dot)) + ".safetensors";
}

ConversionReport convert_directory(const fs::path& in, const fs::path& out, const ConvertOptions& options) {
  ConversionReport report;
  report.directory = true;
  report.input = in.string();
  report.output = out.string();
  std::error_code ec;
  if (fs::exists(out, ec)) {
    if (!fs::is_directory(out, ec)) {
      report.errors.push_back(out.string() + " exists and is not a directory");
      return report;
    }
    if (!fs::is_empty(out, ec) && !options.force) {
      report.errors.push_back(out.string() + " exists and is not empty (use --force to write into it)");
      return report;
    }
  }
  const fs::path out_abs = fs::weakly_canonical(out, ec);

  // Every file, in name order; the output directory is skipped when it is inside the input.
  std::vector<std::string> rels;
  for (auto it = fs::recursive_directory_iterator(in, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (fs::weakly_canonical(it->path(), ec) == out_abs) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink(ec) || it->is_regular_file(ec)) rels.push_back(fs::relative(it->path(), in, ec).generic_string());
  }
  if (ec) {
    report.errors.push_back("cannot list " + in.string() + ": " + ec.message());
    return report;
  }
  std::sort(rels.begin(), rels.end());

  // The sharded checkpoint's index names more weight files.
  std::set<std::string> weight_files;
  nlohmann::json index;
  bool has_index = std::find(rels.begin(), rels.end(), kIndex) != rels.end();
  if (has_index) {
    std::string error;
    auto f = InputFile::open(in / kIndex, error);
    if (f) index = nlohmann::json::parse(as_chars(f->bytes()), nullptr, false);
    if (!f || index.is_discarded() || !index.is_object() || !index.contains("weight_map") ||
        !index["weight_map"].is_object()) {
      FileConversion fc;
      fc.input = kIndex;
      fc.outcome = FileOutcome::refused;
      fc.reason = "the checkpoint index cannot be read as JSON with a weight_map";
      report.files.push_back(std::move(fc));
      return report;
    }
    for (const auto& [name, file] : index["weight_map"].items())
      if (file.is_string()) weight_files.insert(file.get<std::string>());
  }

  struct Planned {
    std::size_t file;  // index in report.files
    std::shared_ptr<InputFile> input;
    std::unique_ptr<PreparedCheckpoint> checkpoint;  // null: copy
  };
  std::vector<Planned> plan;
  std::set<std::string> outputs;
  bool fatal = false;
  for (const auto& rel : rels) {
    FileConversion fc;
    fc.input = rel;
    fs::path path = in / rel;
    const std::string name = fs::path(rel).filename().string();
    const bool weight = weight_files.count(rel) > 0 || is_weight_name(rel);
    auto skip = [&](std::string why) {
      fc.outcome = weight ? FileOutcome::refused : FileOutcome::skipped;
      fc.reason = std::move(why);
      if (weight) fatal = true;
      report.files.push_back(std::move(fc));
    };
    if (fs::is_symlink(path, ec)) {
      skip("symbolic link, not followed");
      continue;
    }
    if (rel == kIndex) {
      fc.outcome = FileOutcome::skipped;
      fc.reason = "replaced by model.safetensors.index.json";
      report.files.push_back(std::move(fc));
      continue;
    }
    std::string error;
    auto input = InputFile::open(path, error);
    if (!input) {
      report.errors.push_back(error);
      continue;
    }
    auto scan = scan_for_conversion(*input, rel, options.limits);
    if (is_checkpoint_format(scan.format) || weight) {
      auto prepared = prepare_checkpoint(input, scan, options, fc);
      if (!prepared) {
        skip(fc.reason);
        continue;
      }
      std::string out_rel = (fs::path(rel).parent_path() / safetensors_name(name)).generic_string();
      if (!outputs.insert(out_rel).second) {
        skip("its output name " + out_rel + " is taken by another file");
        continue;
      }
      fc.output = out_rel;
      report.files.push_back(std::move(fc));
      plan.push_back({report.files.size() - 1, input, std::move(prepared)});
      continue;
    }
    fc.format = scan.format;
    fc.scan_status = scan.status;
    fc.findings = blocking_findings(scan);
    if (is_pickle_based(scan.format)) {
      skip("a " + scan.format + " file that is not a torch state dict checkpoint (scan: " +
           std::string(to_string(scan.status)) + "); pickle-based files are never copied");
      continue;
    }
    if (scan.status == Status::unsafe || scan.status == Status::refused) {
      skip("the scan says " + std::string(to_string(scan.status)) + "; not copied");
      continue;
    }
    if (!outputs.insert(rel).second) {
      skip("its name is taken by a converted file");
      continue;
    }
    fc.output = rel;
    report.files.push_back(std::move(fc));
    plan.push_back({report.files.size() - 1, input, nullptr});
  }
  const bool any_checkpoint = std::any_of(plan.begin(), plan.end(), [](const Planned& p) { return p.checkpoint != nullptr; });
  if (fatal || !any_checkpoint || !report.errors.empty()) {
    // Nothing is written: list what would have happened as not done.
    for (const auto& p : plan) {
      auto& fc = report.files[p.file];
      fc.outcome = FileOutcome::skipped;
      fc.reason = fatal ? "not written: a weight file was refused"
                        : any_checkpoint ? "not written: tool errors" : "not written: no checkpoint to convert";
      fc.output.clear();
    }
    return report;
  }

  fs::create_directories(out, ec);
  if (ec) {
    report.errors.push_back("cannot create " + out.string() + ": " + ec.message());
    return report;
  }
  nlohmann::json weight_map = nlohmann::json::object();
  std::uint64_t total_size = 0;
  for (const auto& p : plan) {
    auto& fc = report.files[p.file];
    fs::path target = out / fc.output;
    fs::create_directories(target.parent_path(), ec);
    std::string out_rel = fc.output;
    Expected<bool> done = p.checkpoint ? write_checkpoint(*p.checkpoint, target, options, fc)
                                       : copy_atomically(*p.input, target, options.force, options.durable);
    if (!done) {
      report.errors.push_back(fc.input + ": " + done.error().reason);
      fc.outcome = FileOutcome::skipped;
      fc.reason = done.error().reason;
      fc.output.clear();
      continue;
    }
    fc.output = out_rel;
    if (!p.checkpoint) {
      fc.outcome = FileOutcome::copied;
      continue;
    }
    if (has_index && (weight_files.count(fc.input) || is_weight_name(fc.input))) {
      for (const auto* t : p.checkpoint->views.written) weight_map[t->name] = out_rel;
      total_size += fc.bytes;
    }
  }
  if (has_index) {
    nlohmann::json new_index;
    new_index["metadata"] = index.contains("metadata") && index["metadata"].is_object() ? index["metadata"]
                                                                                        : nlohmann::json::object();
    new_index["metadata"]["total_size"] = total_size;
    new_index["weight_map"] = weight_map;
    std::string text = new_index.dump(2) + "\n";
    auto file = AtomicFile::create(out / "model.safetensors.index.json", options.force, options.durable);
    Expected<bool> ok = file ? Expected<bool>(true) : Expected<bool>(file.error());
    if (ok && !write_all(file->fd(), text.data(), text.size()))
      ok = parse_error(0, std::string("writing the index: ") + std::strerror(errno));
    if (ok) ok = file->commit();
    FileConversion fc;
    fc.input = kIndex;
    if (ok) {
      fc.outcome = FileOutcome::converted;
      fc.output = "model.safetensors.index.json";
      fc.reason = "derived: " + std::to_string(weight_map.size()) + " tensors";
    } else {
      report.errors.push_back(ok.error().reason);
      fc.outcome = FileOutcome::skipped;
      fc.reason = ok.error().reason;
    }
    for (auto& f : report.files)
      if (f.input == kIndex) f = fc;
  }
  return report;
}

}  // namespace modelgate::convert
