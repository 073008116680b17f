#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> pickle_rules() {
  static const Rule rules[] = {
      {"MG-PICKLE-GLOBAL-DANGEROUS", Severity::critical, Status::unsafe,
       "The pickle imports a known code-execution, process, file or network primitive.",
       "Loading this pickle imports an object that can run commands, evaluate code, touch files or "
       "open connections, or walks to one through an attribute path (`sklearn.base.inspect.sys`, "
       "`x.__globals__`). The denylist is consulted for every name, so an allowlist entry never "
       "hides such a name. Do not load the file, and do not convert it: `modelgate convert` refuses "
       "files with findings like this one. If the model is needed, ask the publisher for a "
       "safetensors copy."},
      {"MG-PICKLE-GLOBAL-UNLISTED", Severity::medium, Status::unverified,
       "The pickle imports a global that is not on the active allowlist.",
       "Importing a module runs its code, and the imported object may be called during loading. "
       "The global is not known to be dangerous, but it is not proven safe either: typically a "
       "class of the model's own code (`__main__.Net`, `mypkg.layers.Block`), or a name that "
       "walks out of an allowlisted module through something it imported. Add it to the policy "
       "(allow_globals) only after reviewing what it does; a `module.*` entry admits single names "
       "in that module, never attribute paths."},
      {"MG-PICKLE-CALL-DANGEROUS", Severity::critical, Status::unsafe,
       "The pickle calls a known-dangerous callable while loading.",
       "REDUCE, NEWOBJ, INST, OBJ or BUILD invokes a callable that executes code or reaches the "
       "system. The evidence shows the call with its arguments as far as they are known."},
      {"MG-PICKLE-CALL-UNLISTED", Severity::medium, Status::unverified,
       "The pickle calls something that is not on the active allowlist.",
       "A callable outside the allowlist runs during loading. It is not known to be dangerous, "
       "but the pickle cannot be proven safe."},
      {"MG-PICKLE-CALL-INDIRECT", Severity::high, Status::unverified,
       "The pickle calls the result of another call or an attribute looked up at load time.",
       "Calling a value produced during loading (getattr(...)(...), a factory's return value) hides "
       "the real target from simple scanners. modelgate names the target when it can be derived."},
      {"MG-PICKLE-BUILD-GLOBAL", Severity::high, Status::unsafe,
       "BUILD sets attributes on a class, function or module.",
       "BUILD with a state on an imported object (rather than an instance) assigns attributes on "
       "it, which can replace methods of a class used later in the process."},
      {"MG-PICKLE-MUTATE-NONCONTAINER", Severity::medium, Status::unverified,
       "APPEND, SETITEM or ADDITEMS targets an object that is not a builtin container or an instance of an allowlisted class.",
       "On other objects these opcodes call the object's append/extend/__setitem__/add methods, "
       "which run code defined by the object's class."},
      {"MG-PICKLE-EXT-UNRESOLVED", Severity::high, Status::refused,
       "An EXT opcode names an extension code that the pickle does not register itself.",
       "EXT1/EXT2/EXT4 look up a global in copyreg's extension registry of the loading process. "
       "What they import depends on that process, so the stream cannot be analysed."},
      {"MG-PICKLE-NESTED-PAYLOAD", Severity::high, Status::unverified,
       "The pickle passes data to a deserialising callable (pickle.loads, torch.load, marshal...).",
       "The nested payload is decoded and analysed; its findings appear with their own origin. "
       "Deserialising inside a pickle is itself a way to hide code from scanners."},
      {"MG-PICKLE-NESTED-OPAQUE", Severity::high, Status::refused,
       "A nested payload could not be recovered statically.",
       "The argument of a deserialising callable is computed at load time, compressed in an "
       "unsupported way, or nested deeper than the limit, so its content is unknown."},
      {"MG-PICKLE-MALFORMED", Severity::high, Status::refused,
       "The pickle stream cannot be read completely and unambiguously.",
       "Truncation, an unknown opcode, stack underflow, a memo miss, a mark mismatch or an operand "
       "the real unpickler rejects. Loaders may still execute everything before this point, so "
       "findings before the offset remain valid. Nothing after it was analysed."},
      {"MG-PICKLE-NUMPY-DTYPE-FLAGS", Severity::critical, Status::unsafe,
       "A numpy dtype's pickled state contradicts its type: its object flags, item size or field layout.",
       "numpy.dtype's __setstate__ keeps the flags, item size and field layout the pickle gives it. An "
       "object dtype told it holds no objects (or lacking the flags numpy sets for objects), or a numeric "
       "one told it does, makes numpy treat raw bytes as PyObject pointers; a field or subarray past the "
       "item, or an object field overlapping another, reads and writes outside the array or forges a "
       "pointer. The loader crashes or returns objects forged from the file's bytes, with only allowlisted "
       "names. modelgate accepts only states numpy's own writer produces (docs/pickle.md)."},
      {"MG-PICKLE-NUMPY-RANDOM-STATE", Severity::high, Status::unsafe,
       "A numpy random generator's pickled state puts its read position outside its state array.",
       "numpy.random's MT19937 (inside every RandomState, which scikit-learn estimators keep) and Philox "
       "take the read position `pos` / `buffer_pos` from the pickled state without checking it and index "
       "their key or buffer array with it. A position outside the array makes the first draw read memory "
       "outside it: the loader crashes or leaks its heap into the random numbers. numpy's own writer "
       "keeps the positions in range (0 to 624, 0 to 4)."},
      {"MG-PICKLE-INDEX-OUT-OF-RANGE", Severity::critical, Status::unsafe,
       "A tree or sparse matrix gets an index outside its arrays, which its compiled code follows unchecked.",
       "scikit-learn's Tree follows child and feature indices, and scipy.sparse's csr, csc and coo formats "
       "row pointers and column indices, straight from the pickled arrays in compiled code. An index "
       "outside the arrays (or a child that points back up the tree) makes `predict`, `toarray()` or a "
       "product read or write outside memory, or loop forever. modelgate reads the arrays' bytes and "
       "checks every index the way the library's own builder keeps them."},
      {"MG-PICKLE-STATE-UNCHECKED", Severity::medium, Status::unverified,
       "An allowlisted class gets index arrays that its compiled code follows without bounds checks.",
       "scikit-learn's tree and neighbour structures (Tree, KDTree, BallTree, the histogram boosting "
       "predictor) and scipy.sparse's csr, csc, bsr, coo and dia formats take child, feature, column and "
       "row indices from the pickled state and index memory with them in compiled code. The red team of "
       "session 19 wrote out-of-range indices that made `predict` and `toarray()` read and write outside "
       "the arrays. Trees, KD and ball trees, and csr, csc and coo matrices are checked (MG-PICKLE-INDEX-OUT-OF-RANGE); the "
       "other classes, and arrays whose bytes the scan cannot read, are not, so such a file is not "
       "called safe."},
      {"MG-PICKLE-CALL-THROUGH", Severity::critical, Status::unsafe,
       "An allowlisted function is given a callable to call that is not what its library writes there.",
       "torch._tensor._rebuild_from_type_v2(func, type, args, state) returns func(*args). torch writes only "
       "its torch._utils._rebuild_* functions as func; any other allowlisted callable called this way "
       "escapes the checks modelgate applies to a direct call of it (numpy dtype and random states, "
       "constructor-less objects). The red team of session 20 built a forged object dtype and then ran "
       "Python code this way from a file made only of allowlisted names."},
      {"MG-PICKLE-TORCH-CONSTRUCTED", Severity::critical, Status::unsafe,
       "A torch storage or tensor class is constructed by the pickle itself.",
       "torch.UntypedStorage(n, allocator=<int>) and torch.Tensor(cdata=<int>) (and the typed *Storage and "
       "*Tensor classes) take integers that torch casts to C++ pointers: the loader calls a vtable or "
       "increments a reference count at an address chosen by the file. torch's own pickles make "
       "storages with persistent_load and tensors with torch._utils._rebuild_*; none calls these classes "
       "(REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST or copyreg.__newobj__)."},
      {"MG-PICKLE-CALL-REFERENCE-ONLY", Severity::critical, Status::unsafe,
       "The pickle calls, while loading, a name its profile admits only to be referenced.",
       "A profile's wildcard (`sklearn.cluster.*`) admits what those modules define so that a pickle "
       "may refer to it: a class instantiated without its constructor (NEWOBJ, copyreg.__newobj__, "
       "copyreg._reconstructor with the base object), a function kept as a value "
       "(FunctionTransformer(func=...)). The same modules define functions and constructors that do real "
       "work when called: the red team of session 22 wrote heap out-of-bounds writes through "
       "sklearn.cluster._kmeans._kmeans_single_lloyd and TreeGrower(...), file reads and writes through "
       "sklearn.pipeline._fit_transform_one, and a forged object dtype through _transform_one, all during "
       "pickle.load. The library's own pickles call only a few reconstructions (sklearn.tree._tree.Tree, the "
       "Cython newObj helpers, __pyx_unpickle_Cy* losses, the SGD loss classes), which the profile lists "
       "by exact name; calling anything else under a wildcard (REDUCE, OBJ or INST with arguments, or "
       "NEWOBJ and copyreg.__newobj__ handing arguments to its __new__) is this finding."},
      {"MG-PICKLE-CALL-AMPLIFIES", Severity::medium, Status::unsafe,
       "An allowlisted constructor is asked to allocate far more than the file's size at load.",
       "bytearray(n) and bytes(n) allocate n zero bytes; list, tuple, set, frozenset, deque, Counter, "
       "torch.Size and numpy's scalar types of range(n) materialise n elements; numpy's "
       "_reconstruct(ndarray, shape, dtype), ndarray(shape, dtype), _mareconstruct and NEWOBJ of ndarray "
       "allocate the shape's product times the dtype's item size (numpy.dtype('V1000000000') is one "
       "item of 1 GB), scalar(dtype) and numpy.void(n) one zeroed item, torch's _rebuild_qtensor its size, sklearn's "
       "Tree its n_outputs and scipy's csr/csc/bsr/lil of a shape (M, N) a pointer per row or column: a 51-byte pickle made the loader "
       "hold 2 GB (red team, session 22). Sizes are ints, bools, big integers, numpy integer scalars and "
       "int()/numpy.int64() of them; copyreg.__newobj__ and _reconstructor count as a call of the class "
       "they construct. A size past max_compression_ratio bytes per byte of the stream (the bound "
       "modelgate puts on any archive's expansion) is reported; real writers never call these with a count."},
      {"MG-PICKLE-CALL-SIZE-UNKNOWN", Severity::medium, Status::unverified,
       "An allowlisted call allocates by a size the scan cannot compute.",
       "bytearray, bytes, range-built collections and numpy's array, masked-array, scalar and void "
       "reconstructions take any value with __index__ as a size, and numpy any dtype: a size made at load "
       "time in a way the scan does not follow (a call result, an attribute, a dtype it cannot read) may "
       "be any number, so the call is not proven bounded by max_compression_ratio. Real writers pass "
       "literal sizes (numpy's arrays start as _reconstruct(ndarray, (0,), b'b'))."},
      {"MG-PICKLE-CALL-COSTLY", Severity::medium, Status::unsafe,
       "An allowlisted constructor is asked for work far out of proportion to the file at load.",
       "Fraction('1e999999999') and int() or Fraction() of Decimal('1e999999999') compute 10**999999999 "
       "(minutes and gigabytes from a few bytes), and bytes(), bytearray(), str() and _codecs.encode reach "
       "any codec by name, punycode among them (quadratic in its text): red team, session 23. Decimal and "
       "Fraction arguments with exponents of more than five digits, or that are not literal numbers or "
       "numeric strings, and codecs other than the linear-time text codecs (UTF-8/16/32, latin-1, ASCII, "
       "the unicode escapes) are reported. Real writers pickle a Decimal or Fraction as its str() and text "
       "as latin-1 or UTF-8."},
      {"MG-PICKLE-CONSTRUCT-KEYWORDS", Severity::high, Status::unverified,
       "An object is constructed with keyword arguments (NEWOBJ_EX or copyreg.__newobj_ex__).",
       "cls.__new__(cls, *args, **kwargs) reaches keyword parameters of compiled constructors that no "
       "positional call reaches (torch's allocator= and cdata= take pointers). Writers emit it only for "
       "classes with __getnewargs_ex__, which no allowlisted class has; the scan does not model them."},
      {"MG-PICKLE-TORCH-SPARSE-UNCHECKED", Severity::high, Status::unverified,
       "A compressed sparse torch tensor (csr, csc, bsr, bsc) is rebuilt outside torch.load.",
       "torch checks the indices of sparse tensors only at the end of torch.load "
       "(_validate_loaded_sparse_tensors). pickle.load and joblib.load of a plain pickle never do, and "
       "to_dense() or an addition then reads and writes outside the values with out-of-range indices."},
      {"MG-PICKLE-DATETIME-STATE", Severity::high, Status::unsafe,
       "datetime.date, datetime or time gets a byte state with a field out of range.",
       "CPython takes the byte state pickle writes for these classes and checks only its month (date, "
       "datetime) or hour (time). A year 0, a day past the month's end or a minute of 200 is kept, and "
       "ctime() and weekday() index their name tables with it: the red team crashed ctime() with year 0. "
       "modelgate accepts only states CPython could have made itself."},
      {"MG-PICKLE-BUILD-SETATTR", Severity::critical, Status::unsafe,
       "BUILD sets a special attribute such as __class__, or attributes named at load time.",
       "The unpicklers apply the second item of a (state, slotstate) BUILD state with setattr. Setting "
       "`__class__` turns any allowlisted object into an instance of another class after it was built, "
       "so code that tests the object's type (joblib reads raw array data after a NumpyArrayWrapper's "
       "BUILD) reads the file differently from what the pickle's construction shows: the red team made "
       "joblib run a hidden pickle this way. Writers put only slot names there."},
      {"MG-PICKLE-INPLACE-WRITE", Severity::high, Status::unsafe,
       "The pickle changes an object after it was built: a second BUILD, SETITEM on an array or tensor, a ufunc's "
       "out, a tensor state that sets Tensor's own attributes.",
       "Writers build each object once. A second BUILD replaces the state an allowlisted class was checked "
       "with (numpy's __setstate__ replaces an array's data and a dtype's byte order), SETITEM(S) on an "
       "instance that is not a mapping calls its __setitem__ (ndarray, Tensor), and a numpy ufunc called "
       "with more arguments than its inputs writes its result into them: index arrays checked at BUILD then "
       "hold other values when the loader uses them, and a converted checkpoint differs from what torch.load "
       "returns."},
      {"MG-PICKLE-LOADER-DIVERGENCE", Severity::high, Status::refused,
       "CPython's C unpickler and pickle.py/pickletools read this stream differently.",
       "A text operand, frame or string that one reader accepts and another rejects or decodes "
       "differently. Scanners built on pickletools see a different program than the loader runs."},
      {"MG-PICKLE-TRAILING-DATA", Severity::medium, Status::unverified,
       "Bytes follow the last STOP opcode.",
       "pickle.load stops at STOP and ignores them; loaders that read further (legacy PyTorch) or "
       "tools that carve data may not. Legitimate pickle files end at STOP."},
      {"MG-PICKLE-MULTIPLE-STREAMS", Severity::medium, Status::unverified,
       "More than one pickle is stored back to back.",
       "Each stream is analysed. A scanner that reads only the first misses the others, while "
       "loaders that read several (legacy PyTorch reads five) execute them."},
      {"MG-PICKLE-PERSISTENT-ID", Severity::info, Status::safe,
       "The pickle references external objects through persistent ids.",
       "PERSID/BINPERSID hand a value to the loader's persistent_load (PyTorch uses it for tensor "
       "storages). A plain pickle.load without persistent_load fails on it."},
      {"MG-PICKLE-OUT-OF-BAND", Severity::low, Status::unverified,
       "The pickle expects out-of-band buffers (protocol 5 NEXT_BUFFER).",
       "The data comes from the caller, not the file; loading fails without them and the content "
       "cannot be checked."},
  };
  return rules;
}

}  // namespace modelgate
