#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> keras_rules() {
  static const Rule rules[] = {
      {"MG-KERAS-MALFORMED", Severity::high, Status::refused,
       "The Keras model configuration or container could not be read completely.",
       "The config JSON is not valid (or nested too deeply / too large), a required member of the "
       ".keras archive is missing, or the HDF5 file could not be read by libhdf5. The model is "
       "refused rather than guessed at."},
      {"MG-KERAS-LAMBDA-BYTECODE", Severity::critical, Status::unsafe,
       "A Lambda layer or function carries serialized Python bytecode.",
       "Keras stores lambdas as base64 `marshal` data and rebuilds them with `types.FunctionType` "
       "when the model is loaded (CVE-2024-3660; `.h5` files ignore safe_mode, CVE-2025-9905). "
       "That is arbitrary code execution. The evidence lists the names and strings the bytecode "
       "references."},
      {"MG-KERAS-LAMBDA", Severity::medium, Status::unverified,
       "A Lambda layer calls a function by name.",
       "The Lambda has no bytecode but calls a named function at inference time. What that "
       "function does depends on the code installed where the model is loaded; review it."},
      {"MG-KERAS-CUSTOM-OBJECT", Severity::medium, Status::unverified,
       "The configuration refers to a class or function outside Keras.",
       "Objects whose `module` is not Keras, or whose `registered_name` names a custom package, "
       "are imported from user code when the model is loaded. They are not known to be "
       "dangerous, but the model cannot be proven safe without reviewing that code."},
      {"MG-KERAS-DANGEROUS-REFERENCE", Severity::critical, Status::unsafe,
       "The configuration refers to a module or function that runs code or touches the system.",
       "A `module`/`class_name`/`config` triple names a known safe_mode bypass gadget or a "
       "process, file, network or code-evaluation primitive (CVE-2025-1550, CVE-2025-8747, "
       "TFSMLayer). Loading the model imports and calls it, whatever Keras version the file "
       "claims."},
      {"MG-KERAS-TORCH-MODULE", Severity::critical, Status::unsafe,
       "The model contains a TorchModuleWrapper layer.",
       "TorchModuleWrapper stores a whole PyTorch module as a `torch.save` pickle inside the "
       "config and unpickles it when the model is loaded. Unpickling runs arbitrary code."},
      {"MG-KERAS-EXTERNAL-REFERENCE", Severity::medium, Status::unverified,
       "The configuration refers to a file path or URL.",
       "Layers such as StringLookup/TextVectorization read vocabulary files and `get_file` "
       "downloads from URLs when the model is loaded (CVE-2025-12058). The path or URL is "
       "outside the model; review it."},
      {"MG-HDF5-MALFORMED", Severity::high, Status::refused,
       "The HDF5 file could not be read by libhdf5.",
       "HDF5 is parsed by the reference library; any error it reports while opening the file or "
       "reading the attributes modelgate needs makes the file refused."},
      {"MG-HDF5-OBJECT-ROWS", Severity::high, Status::unverified,
       "An HDF5 dataset holds variable-length byte rows, which PyTables and pandas unpickle on read.",
       "PyTables stores an ObjectAtom (and pandas' HDFStore an object column in fixed format) as a "
       "VLArray of uint8 rows, each a pickle that tables and pd.read_hdf pass to pickle.loads. The rows "
       "are not analysed yet, so the file is not known to be safe."},
      {"MG-HDF5-EXTERNAL-LINK", Severity::high, Status::unverified,
       "The HDF5 file links to objects in another file.",
       "External and user-defined links make h5py open other files when the link is followed. "
       "A model should be self-contained."},
  };
  return rules;
}

}  // namespace modelgate
