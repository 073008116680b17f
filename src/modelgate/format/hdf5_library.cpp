#include "format/hdf5_library.h"

#include <hdf5.h>

namespace modelgate {

void start_hdf5() {
  static const bool started = [] {
    H5dont_atexit();  // before the library is first initialised, or it has no effect
    H5open();
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)started;
}

}  // namespace modelgate
