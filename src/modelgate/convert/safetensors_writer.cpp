#include "convert/safetensors_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>

#include "pickle/text_operands.h"

namespace modelgate::convert {

using pickle::valid_utf8;

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

std::string errno_text() { return std::strerror(errno); }

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
      if (!valid_utf8(k, false) || !valid_utf8(v, false)) return parse_error(0, "metadata entry '" + k + "' is not valid UTF-8");
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
    if (!valid_utf8(e.name, false)) return parse_error(0, "tensor name is not valid UTF-8");
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

Expected<AtomicFile> AtomicFile::create(const std::filesystem::path& target, bool overwrite, bool durable) {
  std::error_code ec;
  if (std::filesystem::symlink_status(target, ec).type() != std::filesystem::file_type::not_found && !ec &&
      !overwrite)
    return parse_error(0, target.string() + " exists (use --force to replace it)");
  AtomicFile f;
  f.target_ = target;
  f.overwrite_ = overwrite;
  f.durable_ = durable;
  std::filesystem::path dir = target.parent_path().empty() ? "." : target.parent_path();
  std::string tmpl = (dir / ("." + target.filename().string() + ".modelgate-XXXXXX")).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  f.fd_ = ::mkostemp(name.data(), O_CLOEXEC);
  if (f.fd_ < 0) return parse_error(0, "cannot create a temporary file in " + dir.string() + ": " + errno_text());
  f.temp_ = name.data();
  ::fchmod(f.fd_, 0644);
  return f;
}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : target_(std::move(o.target_)), temp_(std::move(o.temp_)), fd_(o.fd_), overwrite_(o.overwrite_),
      durable_(o.durable_), committed_(o.committed_) {
  o.fd_ = -1;
  o.committed_ = true;
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

Expected<bool> AtomicFile::commit() {
  if (durable_ && ::fsync(fd_) != 0) return parse_error(0, "fsync " + temp_.string() + ": " + errno_text());
  if (::close(fd_) != 0) {
    fd_ = -1;
    return parse_error(0, "close " + temp_.string() + ": " + errno_text());
  }
  fd_ = -1;
  int rc;
  if (overwrite_) {
    rc = ::rename(temp_.c_str(), target_.c_str());
  } else {
    rc = ::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE);
    if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {  // filesystems without RENAME_NOREPLACE
      rc = ::link(temp_.c_str(), target_.c_str());
      if (rc == 0) ::unlink(temp_.c_str());
    }
  }
  if (rc != 0) {
    int err = errno;
    ::unlink(temp_.c_str());  // a failed commit leaves nothing behind
    temp_.clear();
    errno = err;
    if (errno == EEXIST) return parse_error(0, target_.string() + " appeared while converting; not replaced");
    return parse_error(0, "rename to " + target_.string() + ": " + errno_text());
  }
  committed_ = true;
  if (!durable_) return true;
  std::filesystem::path dir = target_.parent_path().empty() ? "." : target_.parent_path();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

}  // namespace modelgate::convert
