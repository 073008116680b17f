// The library entry point of `modelgate convert`: one checkpoint file, or a model directory.
#include "convert/checkpoint_conversion.h"
#include "convert/conversion_scanner.h"
#include "convert/directory_conversion.h"
#include "convert/staging.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace modelgate {

namespace fs = std::filesystem;

std::string_view to_string(FileOutcome o) {
  switch (o) {
    case FileOutcome::converted: return "converted";
    case FileOutcome::copied: return "copied";
    case FileOutcome::skipped: return "skipped";
    case FileOutcome::refused: return "refused";
  }
  return "skipped";
}

int ConversionReport::exit_code() const {
  if (!errors.empty()) return 2;
  bool converted = false;
  for (const auto& f : files) {
    if (f.outcome == FileOutcome::refused) return 1;
    if (f.outcome == FileOutcome::converted && f.tensors > 0) converted = true;
  }
  return converted ? 0 : 1;
}

ConversionReport convert_path(const fs::path& in, const fs::path& out, const ConvertOptions& options) {
  std::error_code ec;
  if (fs::is_directory(in, ec)) return convert::convert_directory(in, out, options);
  ConversionReport report;
  report.input = in.string();
  report.output = out.string();
  if (!fs::exists(in, ec)) {
    report.errors.push_back(in.string() + ": no such file");
    return report;
  }
  const std::string out_name = out.filename().string();
  if (out_name.empty() || out_name == "." || out_name == ".." || fs::is_directory(out, ec)) {
    report.errors.push_back(out.string() + " is a directory; give the output file name");
    return report;
  }
  auto opened = convert::InputFile::open(in);
  if (!opened) {
    report.errors.push_back(opened.error().message());
    return report;
  }
  const std::shared_ptr<convert::InputFile>& input = *opened;
  // The output's directory is held by descriptor; the output itself is never followed.
  const fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  convert::Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.ok()) {
    report.errors.push_back("cannot open the directory " + dir.string() + ": " + std::strerror(errno));
    return report;
  }
  report.removed_temps = convert::remove_stale_temps(dir_fd.get(), out_name, report.errors);
  struct stat st {};
  if (::fstatat(dir_fd.get(), out_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (st.st_dev == input->device() && st.st_ino == input->inode()) {
      report.errors.push_back(out.string() + " is the input file (same device and inode); never replaced, "
                                             "not even with --force");
      return report;
    }
    if (!options.force) {
      report.errors.push_back(out.string() + " exists (use --force to replace it)");
      return report;
    }
  }
  FileConversion fc;
  fc.input = in.string();
  convert::ConversionScanner scanner(options);
  if (scanner.error()) {
    report.errors.push_back(*scanner.error());
    return report;
  }
  report.sandbox = scanner.sandbox();
  auto prepared = convert::prepare_checkpoint(input, scanner.scan(*input, in.filename().string()), options, fc);
  if (prepared) {
    auto done = convert::write_checkpoint(*prepared, dir_fd.get(), out_name, out.string(), options, fc);
    if (!done) report.errors.push_back(done.error().reason);
    else if (options.on_file_written) options.on_file_written(fc);
  }
  report.files.push_back(std::move(fc));
  return report;
}

}  // namespace modelgate
