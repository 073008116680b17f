// Libraries loaded at first use (core/lazy_library.h): a library that cannot be loaded is an error
// that names it, and a process that forbade loading (a parse worker) gets LibraryNeeded instead.
#include <dlfcn.h>
#include <link.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/lazy_library.h"
#include "test_util.h"

namespace lazy_library_test {

using namespace modelgate;
namespace fs = std::filesystem;

TEST(LazyLibrary, AMissingLibraryIsAnErrorNamingIt) {
  auto missing = load_library("libmodelgate-no-such-library.so.0");
  ASSERT_FALSE(missing);
  const std::string error = missing.error().message();
  EXPECT_NE(error.find("libmodelgate-no-such-library.so.0"), std::string::npos) << error;
}

TEST(LazyLibrary, AMissingSymbolIsAnErrorNamingIt) {
  auto z = load_library("libz.so.1");
  ASSERT_TRUE(z) << z.error().message();
  int (*missing)(void) = nullptr;
  auto unbound = bind_symbol(*z, "modelgate_no_such_symbol", missing);
  ASSERT_TRUE(unbound);
  EXPECT_NE(unbound->message().find("modelgate_no_such_symbol"), std::string::npos) << unbound->message();
  const char* (*version)(void) = nullptr;
  EXPECT_FALSE(bind_symbol(*z, "zlibVersion", version));
  EXPECT_EQ(std::string(version()).substr(0, 2), "1.");
}

// In a child, since forbidding is for the life of the process.
TEST(LazyLibrary, AfterLoadingIsForbiddenALibraryIsNeededNotLoaded) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    forbid_library_loading();
    try {
      (void)load_library("libz.so.1");
    } catch (const LibraryNeeded& needed) {
      ::_exit(needed.soname == "libz.so.1" ? 0 : 2);
    }
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// The file the dynamic loader maps for `soname`, or "" when it cannot be loaded here.
static std::string library_file(const char* soname) {
  void* handle = ::dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
  if (handle == nullptr) return {};
  link_map* map = nullptr;
  std::string path;
  if (::dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr) path = fs::canonical(map->l_name).string();
  ::dlclose(handle);
  return path;
}

// Where libhdf5 cannot be loaded (a broken install, a stripped container), an HDF5 file is refused
// with the loader's reason, confined or not: it is never passed as safe for want of its parser. The
// library is hidden in a private mount namespace, which needs the privilege to make one.
TEST(LazyLibrary, AnHdf5FileIsRefusedWhenLibhdf5CannotBeLoaded) {
  const std::string lib = library_file(MODELGATE_HDF5_SONAME);
  ASSERT_FALSE(lib.empty());
  if (mgtest::run("unshare -m sh -c 'mount --bind /dev/null " + lib + "'").exit_code != 0)
    GTEST_SKIP() << "cannot hide a library in a mount namespace here";
  const auto& fixtures = mgtest::generated_fixtures("make_onnx_keras.py");
  ASSERT_TRUE(fixtures.ok) << fixtures.log;
  const fs::path h5 = fixtures.dir / "h5/benign.h5";
  for (const char* sandbox : {"off", "best-effort"}) {
    auto r = mgtest::run("unshare -m sh -c 'mount --bind /dev/null " + lib + " && exec " +
                         mgtest::modelgate_binary() + " scan --sandbox " + sandbox + " " + h5.string() + "'");
    EXPECT_EQ(r.exit_code, 1) << sandbox << "\n" << r.output;
    EXPECT_NE(r.output.find("refused"), std::string::npos) << sandbox << "\n" << r.output;
    EXPECT_NE(r.output.find("cannot load " MODELGATE_HDF5_SONAME), std::string::npos) << sandbox << "\n" << r.output;
    EXPECT_EQ(r.output.find("0 refused"), std::string::npos) << sandbox << "\n" << r.output;
  }
}

}  // namespace lazy_library_test
