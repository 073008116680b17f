// HDF5 files: Keras 2 `.h5` models and Keras 3 `model.weights.h5`. HDF5 is parsed only by
// libhdf5; modelgate reads the root `model_config`/`training_config` attributes (bounded) and
// looks for links and datasets that reach into other files. Any libhdf5 error refuses the file.
#include <algorithm>
#include <array>
#include <memory>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/regular_file.h"
#include "core/rule_catalog.h"
#include "format/hdf5_library.h"
#include "format/hdf5_global_heap.h"
#include "format/hdf5_metadata_bounds.h"
#include "format/hdf5_memory_driver.h"
#include "format/keras_config.h"
#include "format/scanners.h"

namespace modelgate {

namespace {

// Closes an HDF5 identifier with the matching function.
struct Handle {
  hid_t id = H5I_INVALID_HID;
  herr_t (*close)(hid_t) = nullptr;
  Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  ~Handle() {
    if (id >= 0 && close) close(id);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  bool ok() const { return id >= 0; }
};

// Reads a string attribute of the root group; an error saying why it cannot.
// At most `max_bytes`: Limits::max_hdf5_attribute_bytes, and never more than the file holds (a
// fixed-size string's declared size is checked before its buffer is allocated).
// `dense`: the root group stores its attributes in a fractal heap, where the metadata check did not
// bound variable-length values, so none is read from there.
Expected<std::string> read_string_attribute(const Hdf5Library& h5, hid_t file, const char* name, std::size_t max_bytes,
                                            bool dense) {
  Handle attr(h5.H5Aopen(file, name, H5P_DEFAULT), h5.H5Aclose);
  if (!attr.ok()) return parse_error(0, std::string("cannot open attribute ") + name);
  Handle type(h5.H5Aget_type(attr.id), h5.H5Tclose);
  Handle space(h5.H5Aget_space(attr.id), h5.H5Sclose);
  if (!type.ok() || !space.ok()) return parse_error(0, std::string("cannot read the type of attribute ") + name);
  if (h5.H5Tget_class(type.id) != H5T_STRING) return parse_error(0, std::string("attribute ") + name + " is not a string");
  hssize_t points = h5.H5Sget_simple_extent_npoints(space.id);
  if (points != 1) return parse_error(0, std::string("attribute ") + name + " is not a single string");
  htri_t variable = h5.H5Tis_variable_str(type.id);
  if (variable < 0) return parse_error(0, std::string("cannot inspect attribute ") + name);
  if (variable > 0 && dense)
    return parse_error(0, std::string("attribute ") + name +
                              " is a variable-length string stored densely (in a fractal heap): its declared length "
                              "cannot be checked before libhdf5 allocates it");
  if (variable > 0) {
    Handle mem(h5.H5Tcopy(h5.c_string), h5.H5Tclose);
    if (!mem.ok() || h5.H5Tset_size(mem.id, H5T_VARIABLE) < 0 || h5.H5Tset_cset(mem.id, h5.H5Tget_cset(type.id)) < 0)
      return parse_error(0, "cannot build a string type");
    char* value = nullptr;
    if (h5.H5Aread(attr.id, mem.id, &value) < 0 || value == nullptr)
      return parse_error(0, std::string("cannot read attribute ") + name);
    std::size_t n = strnlen(value, max_bytes + 1);
    std::string out(value, std::min(n, max_bytes));
    h5.H5free_memory(value);
    if (n > max_bytes)
      return parse_error(0, std::string("attribute ") + name +
                                " is over the limit max_hdf5_attribute_bytes or the file size");
    return out;
  }
  std::size_t size = h5.H5Tget_size(type.id);
  if (size == 0 || size > max_bytes)
    return parse_error(0, std::string("attribute ") + name + " declares " + std::to_string(size) +
                              " bytes, over the limit max_hdf5_attribute_bytes or the file size");
  std::string out(size, '\0');
  if (h5.H5Aread(attr.id, type.id, out.data()) < 0) return parse_error(0, std::string("cannot read attribute ") + name);
  out.resize(strnlen(out.data(), out.size()));
  return out;
}

// Numeric element types, named as safetensors names them; others by their HDF5 class.
std::string hdf5_dtype_name(const Hdf5Library& h5, hid_t type) {
  std::size_t size = h5.H5Tget_size(type);
  switch (h5.H5Tget_class(type)) {
    case H5T_FLOAT:
      return "F" + std::to_string(size * 8);
    case H5T_INTEGER:
      return (h5.H5Tget_sign(type) == H5T_SGN_NONE ? "U" : "I") + std::to_string(size * 8);
    case H5T_ENUM:
      return "BOOL";  // h5py stores numpy booleans as an enum
    default:
      return "other";
  }
}

// A dataset's elements (as its dataspace declares them: nothing is read) into the weights facts.
void count_weights(const Hdf5Library& h5, hid_t dataset, ModelFacts& weights) {
  Handle space(h5.H5Dget_space(dataset), h5.H5Sclose);
  Handle type(h5.H5Dget_type(dataset), h5.H5Tclose);
  if (!space.ok() || !type.ok()) return;
  hssize_t points = h5.H5Sget_simple_extent_npoints(space.id);
  if (points < 0) return;
  std::uint64_t total = weights.parameters.value_or(0);
  auto n = static_cast<std::uint64_t>(points);
  weights.parameters = n > UINT64_MAX - total ? UINT64_MAX : total + n;
  ++weights.dtypes[hdf5_dtype_name(h5, type.id)];
}

// Rows of raw bytes of any length (a variable-length sequence of 8-bit integers): how PyTables
// stores an ObjectAtom, and so pandas' HDFStore an object column; both unpickle every row on read.
bool holds_byte_rows(const Hdf5Library& h5, hid_t dataset) {
  Handle type(h5.H5Dget_type(dataset), h5.H5Tclose);
  if (!type.ok() || h5.H5Tget_class(type.id) != H5T_VLEN) return false;
  Handle base(h5.H5Tget_super(type.id), h5.H5Tclose);
  return base.ok() && h5.H5Tget_class(base.id) == H5T_INTEGER && h5.H5Tget_size(base.id) == 1;
}

struct LinkVisit {
  const Hdf5Library* h5 = nullptr;
  std::vector<std::string> external;  // "name -> target" of external/user-defined links and external data
  std::vector<std::string> byte_rows;  // datasets of variable-length byte rows
  ModelFacts weights;                  // the datasets' elements and dtypes (optimizer state excluded)
  std::uint64_t links = 0;
  std::uint64_t max_links = 0;  // Limits::max_hdf5_links
  bool limit = false;
  bool error = false;
  // libhdf5 1.10's H5Lvisit recurses into a group again unless its reference count says it has
  // more than one link, so a group that links back to itself with a count of 1 is walked without
  // end. Such a group, reached a second time, stops the walk.
  std::set<std::pair<unsigned long, haddr_t>> groups;
  std::string cycle;
};

herr_t visit_link(hid_t group, const char* name, const H5L_info_t* info, void* data) {
  auto& v = *static_cast<LinkVisit*>(data);
  const Hdf5Library& h5 = *v.h5;
  if (++v.links > v.max_links) {
    v.limit = true;
    return 1;
  }
  if (info->type == H5L_TYPE_EXTERNAL || info->type >= H5L_TYPE_UD_MIN) {
    v.external.push_back(std::string(name) + " (external link)");
    return 0;
  }
  if (info->type != H5L_TYPE_HARD) return 0;
  H5O_info_t oinfo;
  if (h5.H5Oget_info_by_name(group, name, &oinfo, H5P_DEFAULT) < 0) {
    v.error = true;
    return -1;
  }
  if (oinfo.type == H5O_TYPE_GROUP && !v.groups.insert({oinfo.fileno, oinfo.addr}).second && oinfo.rc <= 1) {
    v.cycle = name;
    return 1;
  }
  if (oinfo.type != H5O_TYPE_DATASET) return 0;
  Handle ds(h5.H5Dopen2(group, name, H5P_DEFAULT), h5.H5Dclose);
  if (!ds.ok()) return v.error = true, -1;
  Handle dcpl(h5.H5Dget_create_plist(ds.id), h5.H5Pclose);
  if (!dcpl.ok()) return v.error = true, -1;
  int external = h5.H5Pget_external_count(dcpl.id);
  H5D_layout_t layout = h5.H5Pget_layout(dcpl.id);
  if (external < 0 || layout < 0) return v.error = true, -1;
  if (external > 0) v.external.push_back(std::string(name) + " (raw data in external files)");
  if (layout == H5D_VIRTUAL) v.external.push_back(std::string(name) + " (virtual dataset)");
  if (holds_byte_rows(h5, ds.id)) v.byte_rows.emplace_back(name);
  if (!std::string_view(name).starts_with("optimizer_weights")) count_weights(h5, ds.id, v.weights);
  return 0;
}

}  // namespace

void scan_hdf5(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  const Limits& limits = ctx.limits();
  const auto max_attribute = static_cast<std::size_t>(std::min<std::uint64_t>(limits.max_hdf5_attribute_bytes, a.bytes.size()));
  auto refuse = [&](const std::string& why) {
    report.add(make_finding(rule("MG-HDF5-MALFORMED"), a.origin, std::nullopt, why));
  };
  if (auto defect = hdf5_global_heap_defect(a.bytes)) return refuse(*defect);
  bool dense_root_attributes = false;
  if (auto defect = hdf5_metadata_defect(a.bytes, limits.max_hdf5_metadata_steps, &dense_root_attributes))
    return refuse(*defect);
  auto library = hdf5_library();
  if (!library) {
    report.add(make_finding(rule("MG-IO-ERROR"), a.origin, std::nullopt,
                            "cannot read an HDF5 file: " + library.error().message()));
    return;
  }
  const Hdf5Library& h5 = **library;
  Handle fapl(h5.H5Pcreate(h5.file_access), h5.H5Pclose);
  if (!fapl.ok()) return refuse("libhdf5 cannot create a file access list");
  hid_t file_id;
  FileDescriptor reopened;
  if (!a.path.empty() && a.depth == 0) {
    // libhdf5 opens files by name. It is given the name of a descriptor opened without blocking
    // (a FIFO swapped in under the path since the scan opened it is refused, not waited on).
    auto opened = open_regular_file(a.path);
    if (!opened) return refuse("cannot open the file again for libhdf5: " + opened.error().message());
    reopened = std::move(opened->fd);
    file_id = h5.H5Fopen(("/proc/self/fd/" + std::to_string(reopened.get())).c_str(), kHdf5ReadOnly, fapl.id);
  } else {
    // An archive member, or a file a parse worker received: libhdf5 reads the bytes in memory.
    if (set_hdf5_memory_driver(h5, fapl.id, a.bytes) < 0) return refuse("libhdf5 cannot take the file image");
    // An absolute name: for a relative one libhdf5 asks for the working directory (getcwd).
    file_id = h5.H5Fopen("/modelgate-memory.h5", kHdf5ReadOnly, fapl.id);
  }
  Handle file(file_id, h5.H5Fclose);
  if (!file.ok()) return refuse("libhdf5 cannot open the file");

  for (const char* name : {"keras_version", "backend"}) {
    htri_t exists = h5.H5Aexists(file.id, name);
    if (exists < 0) return refuse(std::string("libhdf5 cannot look up attribute ") + name);
    if (exists == 0) continue;
    auto value = read_string_attribute(h5, file.id, name, max_attribute, dense_root_attributes);
    if (!value) return refuse(value.error().reason);
    (std::string_view(name) == "backend" ? details_of(report.details.keras).backend : details_of(report.details.keras).keras_version) = *value;
  }
  for (const char* name : {"model_config", "training_config"}) {
    htri_t exists = h5.H5Aexists(file.id, name);
    if (exists < 0) return refuse(std::string("libhdf5 cannot look up attribute ") + name);
    if (exists == 0) continue;
    auto value = read_string_attribute(h5, file.id, name, max_attribute, dense_root_attributes);
    if (!value) return refuse(value.error().reason);
    (std::string_view(name) == "model_config" ? details_of(report.details.keras).h5_model_config : details_of(report.details.keras).h5_training_config) = true;
    analyse_keras_config(*value, a.origin + "#" + name, limits, report);
  }

  LinkVisit visit;
  visit.h5 = &h5;
  visit.max_links = limits.max_hdf5_links;
  if (h5.H5Lvisit(file.id, H5_INDEX_NAME, H5_ITER_NATIVE, visit_link, &visit) < 0 || visit.error)
    return refuse("libhdf5 cannot walk the file's groups");
  if (!visit.cycle.empty())
    return refuse("group '" + visit.cycle + "' is reached again although its reference count is 1: libhdf5 would walk it without end");
  if (visit.limit) {
    report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), a.origin, std::nullopt,
                            "more than max_hdf5_links (" + std::to_string(limits.max_hdf5_links) +
                                ") HDF5 links; the rest was not inspected"));
    return;
  }
  for (const auto& e : visit.external)
    report.add(make_finding(rule("MG-HDF5-EXTERNAL-LINK"), a.origin, std::nullopt,
                            "'" + e + "' makes readers open another file", e));
  for (const auto& d : visit.byte_rows)
    report.add(make_finding(rule("MG-HDF5-OBJECT-ROWS"), a.origin, std::nullopt,
                            "dataset '" + d + "' holds rows of raw bytes, as PyTables stores objects (pandas' object "
                            "columns): reading it unpickles each row, and the rows were not analysed",
                            d));
  details_of(report.details.keras).hdf5_links = visit.links;
  if (visit.weights.parameters) {
    report.model.parameters = visit.weights.parameters;
    report.model.dtypes = std::move(visit.weights.dtypes);
  }
}

}  // namespace modelgate
