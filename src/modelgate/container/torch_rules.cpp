#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> torch_rules() {
  static const Rule rules[] = {
      {"MG-TORCH-LAYOUT", Severity::medium, Status::refused,
       "The archive's layout is not what torch.load reads.",
       "torch.load reads records under the folder of the first member; members outside it, a "
       "missing data.pkl or a first member without a folder make torch fail or read something "
       "other than what a scanner walking the archive sees."},
      {"MG-TORCH-TORCHSCRIPT", Severity::medium, Status::unverified,
       "The archive is a TorchScript program.",
       "torch.load passes TorchScript archives to torch.jit.load (CVE-2025-32434 bypassed "
       "weights_only this way), which compiles and runs the code under code/. The pickles are "
       "analysed; the code is listed but not proven safe."},
      {"MG-TORCH-TENSOR-ARCHIVE", Severity::info, Status::safe,
       "The archive is a TorchScript archive of named tensors with no methods.",
       "libtorch's torch::serialize::OutputArchive (tch-rs VarStore::save, rust_model.ot files) writes a "
       "TorchScript module whose only code, code/__torch__.py, declares one tensor attribute per saved "
       "variable. Code of exactly that shape defines no method, so loading it runs nothing; the pickles are "
       "analysed as in any torch archive. Any other code makes the archive MG-TORCH-TORCHSCRIPT."},
      {"MG-TORCH-STORAGE-MISSING", Severity::high, Status::refused,
       "A storage referenced by the pickle has no record in the archive.",
       "torch.load fails on it; a file that does not load as a checkpoint is not one."},
      {"MG-TORCH-STORAGE-SIZE", Severity::high, Status::refused,
       "A storage record is smaller than its persistent id says.",
       "numel x element size does not fit in the record: torch reads past it or fails."},
      {"MG-TORCH-STORAGE-EXTRA", Severity::low, Status::unverified,
       "A storage record is not referenced, or holds more bytes than its storage uses.",
       "Unreferenced bytes are never loaded as tensors; they are a place to hide data. Unreferenced "
       "records are scanned by content."},
      {"MG-TORCH-PERSISTENT-ID", Severity::medium, Status::refused,
       "A persistent id is not a storage reference torch understands.",
       "torch's persistent_load expects ('storage', torch.<Type>Storage, key, location, numel); "
       "anything else fails to load or is not a checkpoint written by torch.save."},
      {"MG-TORCH-LEGACY-MALFORMED", Severity::high, Status::refused,
       "A legacy (pre-1.6) checkpoint does not have the layout torch.load reads.",
       "The legacy format is five pickles (magic number, protocol version, system info, data, "
       "storage keys) followed by raw storages, each an 8-byte element count and the data. A "
       "stream that breaks this layout cannot be read completely."},
  };
  return rules;
}

}  // namespace modelgate
