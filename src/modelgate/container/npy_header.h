#pragma once
// NumPy .npy header: magic, version, and the header dict parsed with an exact literal parser
// (the subset of Python literals numpy writes and ast.literal_eval reads: dicts, lists, tuples,
// strings, integers, True/False/None).
#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate::npy {

struct Header {
  int major = 0, minor = 0;
  std::size_t data_offset = 0;      // where the array data starts
  std::string descr_text;           // descr as written (for messages)
  bool fortran_order = false;
  std::vector<std::uint64_t> shape;
  std::uint64_t itemsize = 0;       // 0 for object dtypes (no fixed size)
  bool has_object = false;          // 'O' anywhere in descr: the data is a pickle
  std::uint64_t count = 1;          // product of shape
};

Expected<Header> parse_header(ByteView file, const Limits& limits);  // max_npy_header_bytes, max_npy_header_depth

}  // namespace modelgate::npy
