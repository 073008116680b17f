// Libraries loaded at first use (core/lazy_library.h): a library that cannot be loaded is an error
// that names it, and a process that forbade loading (a parse worker) gets LibraryNeeded instead.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/lazy_library.h"

using namespace modelgate;

TEST(LazyLibrary, AMissingLibraryIsAnErrorNamingIt) {
  std::string error;
  EXPECT_EQ(load_library("libmodelgate-no-such-library.so.0", error), nullptr);
  EXPECT_NE(error.find("libmodelgate-no-such-library.so.0"), std::string::npos) << error;
}

TEST(LazyLibrary, AMissingSymbolIsAnErrorNamingIt) {
  std::string error;
  void* z = load_library("libz.so.1", error);
  ASSERT_NE(z, nullptr) << error;
  int (*missing)(void) = nullptr;
  EXPECT_FALSE(bind_symbol(z, "modelgate_no_such_symbol", missing, error));
  EXPECT_NE(error.find("modelgate_no_such_symbol"), std::string::npos) << error;
  const char* (*version)(void) = nullptr;
  EXPECT_TRUE(bind_symbol(z, "zlibVersion", version, error));
  EXPECT_EQ(std::string(version()).substr(0, 2), "1.");
}

// In a child, since forbidding is for the life of the process.
TEST(LazyLibrary, AfterLoadingIsForbiddenALibraryIsNeededNotLoaded) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    forbid_library_loading();
    std::string error;
    try {
      load_library("libz.so.1", error);
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
