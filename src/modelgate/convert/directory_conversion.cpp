#include "convert/directory_conversion.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <regex>
#include <set>

#include "convert/checkpoint_conversion.h"
#include "convert/conversion_scanner.h"
#include "convert/safetensors_writer.h"
#include "convert/staging.h"

namespace modelgate::convert {

namespace fs = std::filesystem;

namespace {

const std::regex kShard(R"(pytorch_model-(\d+)-of-(\d+)\.bin)");
constexpr const char* kIndex = kCheckpointIndexName;

bool is_weight_name(const std::string& rel) {
  return rel == "pytorch_model.bin" || std::regex_match(rel, kShard);
}

// Formats whose loading unpickles: never copied, converted or skipped.
bool is_pickle_based(const std::string& format) {
  return format == "pickle" || format == "joblib" || format == "joblib-compressed" ||
         format.rfind("pytorch", 0) == 0 || format.rfind("torch", 0) == 0;
}

Expected<bool> copy_atomically(const InputFile& in, int dirfd, const std::string& name, const std::string& display,
                               bool durable) {
  auto file = AtomicFile::create(dirfd, name, display, false, durable);
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
    return parse_error(0, "writing " + display + ": " + std::strerror(errno));
  if (std::string change = in.change_since_open(); !change.empty()) return parse_error(0, change);
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

ConversionReport convert_directory(const fs::path& in, const fs::path& out_arg, const ConvertOptions& options) {
  ConversionReport report;
  report.directory = true;
  report.input = in.string();
  report.output = out_arg.string();
  const fs::path out = out_arg.filename().empty() ? out_arg.parent_path() : out_arg;  // "OUT/" names OUT
  const std::string out_name = out.filename().string();
  if (out_name.empty() || out_name == "." || out_name == "..") {
    report.errors.push_back(out_arg.string() + ": name the output directory itself");
    return report;
  }
  // The input and the output's parent are held by descriptor; inputs are opened beneath the input
  // and outputs created beneath a staging directory, never following a link.
  Fd in_fd(::open(in.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!in_fd.ok()) {
    report.errors.push_back("cannot open " + in.string() + ": " + std::strerror(errno));
    return report;
  }
  struct stat in_st {};
  ::fstat(in_fd.get(), &in_st);
  const fs::path parent = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  std::error_code ec;
  Fd parent_fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!parent_fd.ok() && errno != ENOENT) {  // a missing parent is created when OUT is written
    report.errors.push_back("cannot open the directory " + parent.string() + ": " + std::strerror(errno));
    return report;
  }
  if (parent_fd.ok()) report.removed_temps = remove_stale_temps(parent_fd.get(), out_name, report.errors);
  struct stat out_st {};
  const bool out_exists =
      parent_fd.ok() && ::fstatat(parent_fd.get(), out_name.c_str(), &out_st, AT_SYMLINK_NOFOLLOW) == 0;
  if (out_exists) {
    if (S_ISLNK(out_st.st_mode)) {
      report.errors.push_back(out.string() + " is a symbolic link; not followed");
      return report;
    }
    if (!S_ISDIR(out_st.st_mode)) {
      report.errors.push_back(out.string() + " exists and is not a directory");
      return report;
    }
    // Replacing OUT must never remove the input: refuse OUT = IN and OUT containing IN.
    for (Fd up(::fcntl(in_fd.get(), F_DUPFD_CLOEXEC, 0)); up.ok();) {
      struct stat st {};
      if (::fstat(up.get(), &st) != 0) break;
      if (st.st_dev == out_st.st_dev && st.st_ino == out_st.st_ino) {
        report.errors.push_back(out.string() + (st.st_ino == in_st.st_ino && st.st_dev == in_st.st_dev
                                                    ? " is the input directory"
                                                    : " contains the input directory") +
                                "; never replaced, not even with --force");
        return report;
      }
      Fd next(::openat(up.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      struct stat nst {};
      if (!next.ok() || ::fstat(next.get(), &nst) != 0 || (nst.st_dev == st.st_dev && nst.st_ino == st.st_ino)) break;
      up = std::move(next);
    }
    Fd out_fd(::openat(parent_fd.get(), out_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    std::vector<std::string> entries;
    if (!out_fd.ok() || !list_directory(out_fd.get(), entries)) {
      report.errors.push_back("cannot list " + out.string() + ": " + std::strerror(errno));
      return report;
    }
    if (!entries.empty() && !options.force) {
      report.errors.push_back(out.string() + " exists and is not empty (use --force to replace it)");
      return report;
    }
  }

  // Every file, in name order, relative to the input as listed (links are never resolved). The
  // output directory is skipped when it is inside the input, and so are staging directories.
  std::vector<std::string> rels;
  std::vector<std::string> special;
  for (auto it = fs::recursive_directory_iterator(in, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(temp_prefix(out_name), 0) == 0) {
      it.disable_recursion_pending();
      continue;
    }
    const auto type = it->symlink_status(ec).type();
    if (type == fs::file_type::directory) {
      struct stat st {};
      if (out_exists && ::lstat(it->path().c_str(), &st) == 0 && st.st_dev == out_st.st_dev &&
          st.st_ino == out_st.st_ino)
        it.disable_recursion_pending();
      continue;
    }
    std::string rel = it->path().lexically_relative(in).generic_string();
    if (type == fs::file_type::symlink || type == fs::file_type::regular)
      rels.push_back(rel);
    else
      special.push_back(rel);
  }
  if (ec) {
    report.errors.push_back("cannot list " + in.string() + ": " + ec.message());
    return report;
  }
  std::sort(rels.begin(), rels.end());
  for (auto& rel : special) {
    FileConversion fc;
    fc.input = std::move(rel);
    fc.reason = "not a regular file (FIFO, socket or device); not read";
    report.files.push_back(std::move(fc));
  }

  struct Planned {
    std::size_t file;  // index in report.files
    std::shared_ptr<InputFile> input;
    std::unique_ptr<PreparedCheckpoint> checkpoint;  // null: copy
  };
  std::vector<Planned> plan;
  ConversionScanner scanner(options);
  if (scanner.error()) {
    report.errors.push_back(*scanner.error());
    return report;
  }
  report.sandbox = scanner.sandbox();

  // The sharded checkpoint's index names more weight files. It is scanned and read like every
  // other input (in a worker), and only a safe index that reads completely is used.
  CheckpointIndex index;
  bool has_index = std::find(rels.begin(), rels.end(), kIndex) != rels.end();
  if (has_index) {
    FileConversion fc;
    fc.input = kIndex;
    fc.outcome = FileOutcome::refused;
    auto f = InputFile::adopt(open_file_beneath(in_fd.get(), kIndex).release(), (in / kIndex).string());
    if (!f) {
      fc.reason = "the checkpoint index cannot be opened: " + f.error().message();
    } else {
      ScannedInput scanned = scanner.scan(**f, kIndex);
      fc.format = scanned.report.format;
      fc.scan_status = scanned.report.status;
      fc.input_sha256 = scanned.report.sha256;
      fc.input_size = scanned.report.size;
      fc.findings = blocking_findings(scanned.report);
      if (scanned.report.status != Status::safe)
        fc.reason = "the checkpoint index: the scan under the torch profile says " +
                    std::string(to_string(scanned.report.status)) + "; only safe files are used";
      else if (!scanned.index || !*scanned.index)
        fc.reason = scanned.index ? scanned.index->error().reason : "the checkpoint index was not read";
      else
        index = std::move(**scanned.index);
    }
    // transformers joins each name to the directory and loads it: a name that is not a regular
    // file of the directory (missing, outside it, a link) would leave the converted model short.
    for (const auto& name : index.weight_files) {
      if (!fc.reason.empty()) break;
      const std::string normal = fs::path(name).lexically_normal().generic_string();
      if (std::find(rels.begin(), rels.end(), normal) == rels.end())
        fc.reason = "the checkpoint index names '" + name + "', which is not a regular file of the directory";
    }
    if (!fc.reason.empty()) {
      report.files.push_back(std::move(fc));
      return report;
    }
  }
  const std::set<std::string>& weight_files = index.weight_files;
  std::set<std::string> outputs;
  bool fatal = false;
  for (const auto& rel : rels) {
    if (auto stop = interruption(options)) {
      report.errors.push_back(stop->reason);
      break;
    }
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
    auto adopted = InputFile::adopt(open_file_beneath(in_fd.get(), rel).release(), path.string());
    if (!adopted) {
      report.errors.push_back(adopted.error().message());
      continue;
    }
    const std::shared_ptr<InputFile>& input = *adopted;
    ScannedInput scanned = scanner.scan(*input, rel);
    const ArtifactReport& scan = scanned.report;
    if (is_checkpoint_format(scan.format) || weight) {
      auto prepared = prepare_checkpoint(input, std::move(scanned), options, fc);
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
    fc.input_sha256 = scan.sha256;
    fc.input_size = scan.size;
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

  // Everything is built in a staging directory beside OUT and renamed into place only when every
  // file is written; on any failure or interruption the staging directory is removed.
  if (!parent_fd.ok()) {
    fs::create_directories(parent, ec);
    parent_fd = Fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!parent_fd.ok()) {
      report.errors.push_back("cannot create the directory " + parent.string() + ": " + std::strerror(errno));
      return report;
    }
  }
  auto staging = StagingDirectory::create(parent_fd.get(), out_name, out.string());
  if (!staging) {
    report.errors.push_back(staging.error().reason);
    return report;
  }
  auto fail = [&](std::string why) {
    report.errors.push_back(std::move(why));
    for (const auto& p : plan) {
      auto& fc = report.files[p.file];
      if (fc.outcome == FileOutcome::refused) continue;
      fc.outcome = FileOutcome::skipped;
      fc.reason = "not written: the conversion failed";
      fc.output.clear();
    }
    return report;
  };
  nlohmann::json weight_map = nlohmann::json::object();
  std::uint64_t total_size = 0;
  for (const auto& p : plan) {
    if (auto stop = interruption(options)) return fail(stop->reason);
    auto& fc = report.files[p.file];
    const fs::path out_rel = fc.output;
    const std::string display = (out / out_rel).string();
    Fd dir = open_directory_beneath(staging->fd(), out_rel.parent_path(), true);
    if (!dir.ok()) return fail("cannot create the directory for " + display + ": " + std::strerror(errno));
    const std::string file_name = out_rel.filename().string();
    Expected<bool> done = p.checkpoint ? write_checkpoint(*p.checkpoint, dir.get(), file_name, display, options, fc)
                                       : copy_atomically(*p.input, dir.get(), file_name, display, options.durable);
    if (!done) return fail(fc.input + ": " + done.error().reason);
    fc.output = out_rel.generic_string();
    if (!p.checkpoint) fc.outcome = FileOutcome::copied;
    if (options.on_file_written) options.on_file_written(fc);
    if (p.checkpoint && has_index && (weight_files.count(fc.input) || is_weight_name(fc.input))) {
      for (const auto& t : p.checkpoint->plan.tensors) weight_map[t.name] = fc.output;
      total_size += fc.bytes;
    }
  }
  if (has_index) {
    nlohmann::json new_index;
    new_index["metadata"] = index.metadata;
    new_index["metadata"]["total_size"] = total_size;
    new_index["weight_map"] = weight_map;
    std::string text = new_index.dump(2) + "\n";
    const std::string index_name = "model.safetensors.index.json";
    auto file = AtomicFile::create(staging->fd(), index_name, (out / index_name).string(), false, options.durable);
    Expected<bool> ok = file ? Expected<bool>(true) : Expected<bool>(file.error());
    if (ok && !write_all(file->fd(), text.data(), text.size()))
      ok = parse_error(0, std::string("writing the index: ") + std::strerror(errno));
    if (ok) ok = file->commit();
    if (!ok) return fail(ok.error().reason);
    FileConversion fc;
    fc.input = kIndex;
    fc.outcome = FileOutcome::converted;
    fc.output = index_name;
    fc.reason = "derived: " + std::to_string(weight_map.size()) + " tensors";
    for (auto& f : report.files)
      if (f.input == kIndex) f = fc;
  }
  if (auto stop = interruption(options)) return fail(stop->reason);
  auto committed = staging->commit(options.force, options.durable);
  if (!committed) return fail(committed.error().reason);
  return report;
}

}  // namespace modelgate::convert
