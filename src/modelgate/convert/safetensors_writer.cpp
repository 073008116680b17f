#include "convert/safetensors_writer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>

#include "pickle/text_operands.h"
#include "core/utf8.h"

namespace modelgate::convert {


namespace {

// serde_json's escaping: quote, backslash, and control characters; everything else verbatim.
void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}


}  // namespace

Expected<HeaderLayout> layout_header(const std::vector<HeaderEntry>& entries,
                                     const std::map<std::string, std::string>& metadata) {
  HeaderLayout l;
  l.order.resize(entries.size());
  std::iota(l.order.begin(), l.order.end(), std::size_t{0});
  std::sort(l.order.begin(), l.order.end(), [&](std::size_t a, std::size_t b) {
    if (entries[a].dtype != entries[b].dtype) return entries[a].dtype > entries[b].dtype;
    return entries[a].name < entries[b].name;
  });
  std::string json = "{";
  if (!metadata.empty()) {
    json += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [k, v] : metadata) {
      if (!is_utf8(k) || !is_utf8(v)) return parse_error(0, "metadata entry '" + k + "' is not valid UTF-8");
      if (!first) json += ',';
      first = false;
      json_string(json, k);
      json += ':';
      json_string(json, v);
    }
    json += "}";
  }
  l.begin.assign(entries.size(), 0);
  std::uint64_t offset = 0;
  for (std::size_t i : l.order) {
    const auto& e = entries[i];
    if (!is_utf8(e.name)) return parse_error(0, "tensor name is not valid UTF-8");
    if (e.name == "__metadata__") return parse_error(0, "a tensor cannot be named __metadata__");
    if (e.byte_size > UINT64_MAX - offset) return parse_error(0, "total tensor size overflows");
    if (json.size() > 1) json += ',';
    json_string(json, e.name);
    json += ":{\"dtype\":\"";
    json += safetensors::dtype_name(e.dtype);
    json += "\",\"shape\":[";
    for (std::size_t d = 0; d < e.shape.size(); ++d) {
      if (d) json += ',';
      json += std::to_string(e.shape[d]);
    }
    json += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + e.byte_size) + "]}";
    l.begin[i] = offset;
    offset += e.byte_size;
  }
  json += '}';
  json.append((8 - json.size() % 8) % 8, ' ');
  std::uint64_t n = json.size();
  l.bytes.resize(8);
  for (int i = 0; i < 8; ++i) l.bytes[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  l.bytes += json;
  l.data_size = offset;
  return l;
}

bool write_all(int fd, const void* data, std::size_t size) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, std::min<std::size_t>(size, 1u << 30));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) {
      errno = EIO;
      return false;
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

Expected<AtomicFile> AtomicFile::create(int dirfd, const std::string& name, const std::string& display,
                                        bool overwrite, bool durable) {
  struct stat st {};
  if (!overwrite && ::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
    return parse_error(0, display + " exists (use --force to replace it)");
  AtomicFile f;
  f.dir_ = Fd(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
  if (!f.dir_.ok()) return parse_error(0, "cannot use the directory of " + display + ": " + errno_text());
  f.name_ = name;
  f.display_ = display;
  f.overwrite_ = overwrite;
  f.durable_ = durable;
  for (int attempt = 0; attempt < 100 && !f.file_.ok(); ++attempt) {
    std::string temp = new_temp_name(name);
    f.file_ = Fd(::openat(f.dir_.get(), temp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (f.file_.ok())
      f.temp_ = temp;
    else if (errno != EEXIST)
      return parse_error(0, "cannot create a temporary file beside " + display + ": " + errno_text());
  }
  if (!f.file_.ok()) return parse_error(0, "cannot find a free temporary file name beside " + display);
  ::flock(f.file_.get(), LOCK_EX);  // tells a later run that this temp is not stale
  ::fchmod(f.file_.get(), 0644);
  return f;
}

Expected<AtomicFile> AtomicFile::create(const std::filesystem::path& target, bool overwrite, bool durable) {
  std::filesystem::path dir = target.parent_path().empty() ? "." : target.parent_path();
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dfd.ok()) return parse_error(0, "cannot open the directory " + dir.string() + ": " + errno_text());
  return create(dfd.get(), target.filename().string(), target.string(), overwrite, durable);
}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : dir_(std::move(o.dir_)), file_(std::move(o.file_)), name_(std::move(o.name_)), temp_(std::move(o.temp_)),
      display_(std::move(o.display_)), overwrite_(o.overwrite_), durable_(o.durable_), committed_(o.committed_) {
  o.committed_ = true;
}

AtomicFile::~AtomicFile() {
  if (!committed_ && !temp_.empty()) ::unlinkat(dir_.get(), temp_.c_str(), 0);
}

Expected<bool> AtomicFile::commit() {
  if (durable_ && ::fsync(file_.get()) != 0) return parse_error(0, "fsync of the output " + display_ + ": " + errno_text());
  const int d = dir_.get();
  int rc;
  if (overwrite_) {
    rc = ::renameat(d, temp_.c_str(), d, name_.c_str());
  } else {
    rc = ::renameat2(d, temp_.c_str(), d, name_.c_str(), RENAME_NOREPLACE);
    if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {  // filesystems without RENAME_NOREPLACE
      rc = ::linkat(d, temp_.c_str(), d, name_.c_str(), 0);
      if (rc == 0) ::unlinkat(d, temp_.c_str(), 0);
    }
  }
  if (rc != 0) {
    int err = errno;
    ::unlinkat(d, temp_.c_str(), 0);  // a failed commit leaves nothing behind
    temp_.clear();
    errno = err;
    if (errno == EEXIST) return parse_error(0, display_ + " appeared while converting; not replaced");
    return parse_error(0, "rename to " + display_ + ": " + errno_text());
  }
  committed_ = true;
  if (::close(file_.release()) != 0) return parse_error(0, "close " + display_ + ": " + errno_text());
  if (durable_ && ::fsync(d) != 0) return parse_error(0, "fsync of the directory of " + display_ + ": " + errno_text());
  return true;
}

}  // namespace modelgate::convert
