// NumPy .npy: header parsed exactly; plain arrays are data (never read), object arrays carry a
// pickle that numpy.load(allow_pickle=True) unpickles, analysed here.
#include "container/npy_header.h"
#include "container/pickle_member.h"
#include "core/rule_catalog.h"
#include "format/scanners.h"

namespace modelgate {

void scan_npy(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  auto h = npy::parse_header(a.bytes, ctx.limits());
  if (!h) {
    report.add(make_finding(rule("MG-NPY-MALFORMED"), a.origin, h.error().offset, h.error().reason));
    return;
  }
  NpyDetails& details = report.details.npy.emplace();
  details.version = std::to_string(h->major) + "." + std::to_string(h->minor);
  details.descr = h->descr_text;
  details.shape = h->shape;
  details.fortran_order = h->fortran_order;
  std::uint64_t available = a.bytes.size() - h->data_offset;
  if (h->has_object) {
    details.object_dtype = true;
    report.add(make_finding(rule("MG-NPY-OBJECT-ARRAY"), a.origin, h->data_offset,
                            "dtype " + h->descr_text + " holds Python objects: the data is a pickle "
                            "(numpy.load refuses it unless allow_pickle=True)"));
    Artifact data = a.child("pickle", a.bytes.subspan(h->data_offset), nullptr);
    data.origin = a.origin;  // offsets below are relative to the data; keep the file as origin
    ArtifactReport pr;
    pr.origin = a.origin + "@" + std::to_string(h->data_offset);
    pr.size = available;
    PickleMemberOptions o;
    scan_pickle_member(data, ctx, pr, o);
    report.children.push_back(std::move(pr));
    return;
  }
  std::uint64_t need = 0;
  if (h->itemsize != 0 && h->count > UINT64_MAX / h->itemsize) {
    report.add(make_finding(rule("MG-NPY-SIZE-MISMATCH"), a.origin, h->data_offset,
                            "shape x itemsize overflows"));
    return;
  }
  need = h->count * h->itemsize;
  details.data_bytes = need;
  if (need > available)
    report.add(make_finding(rule("MG-NPY-SIZE-MISMATCH"), a.origin, h->data_offset,
                            "header needs " + std::to_string(need) + " data bytes, the file has " +
                                std::to_string(available) + " (numpy.load fails)"));
  else if (need < available)
    report.add(make_finding(rule("MG-NPY-TRAILING-DATA"), a.origin, h->data_offset + need,
                            std::to_string(available - need) + " bytes follow the array data; numpy.load ignores them"));
}

}  // namespace modelgate
