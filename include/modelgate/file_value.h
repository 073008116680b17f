#pragma once
// A value as a model file wrote it (GGUF metadata, a configuration's fields, a model card's front
// matter), kept for display: the one place where the facts hold what the file chose, not a type
// modelgate chose. The JSON report shows it as the JSON value it is.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace modelgate {

struct FileValueMember;

struct FileValue {
  using Array = std::vector<FileValue>;
  // Distinct keys, in byte order.
  using Object = std::vector<FileValueMember>;
  // monostate: null (also what a number that is not finite shows as). An integer is held as
  // std::uint64_t when it is not negative, as JSON readers hold it, so that a value reads back equal.
  std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double, std::string, Array, Object> value;

  friend bool operator==(const FileValue&, const FileValue&) = default;
};

struct FileValueMember {
  std::string key;
  FileValue value;

  friend bool operator==(const FileValueMember&, const FileValueMember&) = default;
};

}  // namespace modelgate
