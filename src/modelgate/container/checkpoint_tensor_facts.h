#pragma once
// A PyTorch checkpoint's tensors as the report lists them (ModelFacts::tensors), read from its data
// pickle the way `convert` reads a state dict: each tensor by its dotted name, with the byte range
// its view covers in the storage that holds it.
#include <cstdint>
#include <map>
#include <string>

#include "container/state_dict_reconstruction.h"
#include "modelgate/limits.h"
#include "modelgate/report.h"

namespace modelgate {

// Where a checkpoint's storages are: records of its zip archive ("archive/data/" + key), or, for
// the layouts that write storages into the file uncompressed (legacy, pre-1.0 tar), byte ranges of
// the file, by key.
struct StoragePlaces {
  std::string record_folder;
  const std::map<std::string, std::uint64_t>* file_offsets = nullptr;
};

// Lists the tensors of `data` (a stream run with its data retained) in `facts`. Nothing is listed
// when the pickle is not a state dict that reads exactly, or names a storage `places` does not
// place (the list is whole or absent); past Limits::max_listed_tensors they are counted only.
// `base` carries the tar layout's persistent tensors.
void list_state_dict_tensors(const pickle::StreamResult& data, const StoragePlaces& places, const Limits& limits,
                             ModelFacts& facts, const ReconstructOptions& base = {});

}  // namespace modelgate
