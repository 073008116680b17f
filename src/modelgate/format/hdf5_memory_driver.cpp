#include "format/hdf5_memory_driver.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <mutex>
#include <new>

namespace modelgate {

namespace {

struct MemoryImage {
  const std::uint8_t* data;
  std::size_t size;
};

// libhdf5 sees the leading H5FD_t; the rest is the driver's.
struct MemoryFile {
  H5FD_t pub;
  MemoryImage image;
  haddr_t eoa;
};

constexpr haddr_t kMaxAddress = (haddr_t{1} << 62) - 1;

MemoryFile* image_file(H5FD_t* f) { return reinterpret_cast<MemoryFile*>(f); }
const MemoryFile* image_file(const H5FD_t* f) { return reinterpret_cast<const MemoryFile*>(f); }

// The library the driver was registered with, for the one call it makes back into it.
const Hdf5Library* registered_with = nullptr;

H5FD_t* image_open(const char*, unsigned flags, hid_t fapl, haddr_t) {
  if (flags & (kHdf5ReadWrite | kHdf5Create | kHdf5Truncate | kHdf5Exclusive)) return nullptr;
  const auto* image = static_cast<const MemoryImage*>(registered_with->H5Pget_driver_info(fapl));
  if (image == nullptr) return nullptr;
  auto* f = new (std::nothrow) MemoryFile{};
  if (f == nullptr) return nullptr;
  f->image = *image;
  return &f->pub;
}

herr_t image_close(H5FD_t* f) {
  delete image_file(f);
  return 0;
}

int image_compare(const H5FD_t* a, const H5FD_t* b) {
  const auto* x = image_file(a)->image.data;
  const auto* y = image_file(b)->image.data;
  return x < y ? -1 : x > y ? 1 : 0;
}

herr_t image_features(const H5FD_t*, unsigned long* flags) {
  if (flags != nullptr) *flags = 0;
  return 0;
}

haddr_t image_get_eoa(const H5FD_t* f, H5FD_mem_t) { return image_file(f)->eoa; }

herr_t image_set_eoa(H5FD_t* f, H5FD_mem_t, haddr_t addr) {
  if (addr > kMaxAddress) return -1;
  image_file(f)->eoa = addr;
  return 0;
}

haddr_t image_get_eof(const H5FD_t* f, H5FD_mem_t) { return image_file(f)->image.size; }

herr_t image_read(H5FD_t* f, H5FD_mem_t, hid_t, haddr_t addr, std::size_t size, void* buffer) {
  const MemoryImage& image = image_file(f)->image;
  if (addr == HADDR_UNDEF || addr > kMaxAddress || size > kMaxAddress - addr) return -1;
  auto* out = static_cast<std::uint8_t*>(buffer);
  std::size_t have = addr < image.size ? std::min<std::size_t>(size, image.size - addr) : 0;
  if (have > 0) std::memcpy(out, image.data + addr, have);
  std::memset(out + have, 0, size - have);
  return 0;
}

herr_t image_write(H5FD_t*, H5FD_mem_t, hid_t, haddr_t, std::size_t, const void*) { return -1; }

herr_t image_lock(H5FD_t*, hbool_t) { return 0; }
herr_t image_unlock(H5FD_t*) { return 0; }

hid_t image_driver(const Hdf5Library& h5) {
  static hid_t id = H5I_INVALID_HID;
  static std::once_flag once;
  std::call_once(once, [&h5] {
    registered_with = &h5;
    static H5FD_class_t cls{};
    cls.name = "modelgate-memory";
    cls.maxaddr = kMaxAddress;
    cls.fc_degree = H5F_CLOSE_WEAK;
    cls.fapl_size = sizeof(MemoryImage);
    cls.open = image_open;
    cls.close = image_close;
    cls.cmp = image_compare;
    cls.query = image_features;
    cls.get_eoa = image_get_eoa;
    cls.set_eoa = image_set_eoa;
    cls.get_eof = image_get_eof;
    cls.read = image_read;
    cls.write = image_write;
    cls.lock = image_lock;
    cls.unlock = image_unlock;
    const H5FD_mem_t map[] = H5FD_FLMAP_DICHOTOMY;
    std::copy(std::begin(map), std::end(map), cls.fl_map);
    id = h5.H5FDregister(&cls);
  });
  return id;
}

}  // namespace

herr_t set_hdf5_memory_driver(const Hdf5Library& h5, hid_t fapl, ByteView bytes) {
  hid_t driver = image_driver(h5);
  if (driver < 0) return -1;
  const MemoryImage image{bytes.data(), bytes.size()};
  return h5.H5Pset_driver(fapl, driver, &image);
}

}  // namespace modelgate
