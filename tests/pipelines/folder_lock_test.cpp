// One sample or study run at a time in an output folder (folder_lock.hpp).
#include "pipelines/folder_lock.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <optional>

#include "fitting/base/error.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;

// Two runs at once into one folder corrupted it (the probe: about half of 18 trials): the second
// is refused, naming the folder, and runs once the first has ended.
TEST(FolderLock, ASecondRunIntoTheFolderIsRefusedWhileTheFirstHoldsIt) {
  const fs::path dir = test::scratch_dir("folder_lock") / "out";
  std::optional<FolderLock> first;
  first.emplace(dir, "sample", false);
  EXPECT_TRUE(fs::is_directory(dir));
  try {
    FolderLock second(dir, "study", false);
    ADD_FAILURE() << "a second lock was taken";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(dir.string() + ": another `mgscope study` is writing this output folder", 0),
              0u)
        << e.what();
  }
  // The command line says the same and exits 1, having written nothing.
  const auto r = test::run_mgscope("sample '" + std::string(MGSCOPE_SOURCE_DIR) +
                                   "/samples/study/ascast/sample.toml' -o '" + dir.string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("another `mgscope sample` is writing this output folder"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::is_empty(dir));
  // The processes of an MPI team share the folder: they take a shared lock, together, which a single
  // run excludes both ways (an MPI study had taken none, and ran into a single study's folder).
  EXPECT_THROW(FolderLock(dir, "sample", true), InputError);
  first.reset();
  {
    const FolderLock rank0(dir, "study", true), rank1(dir, "study", true);
    EXPECT_THROW(FolderLock(dir, "study", false), InputError);
  }
  EXPECT_NO_THROW(FolderLock(dir, "sample", false));
  fs::remove_all(dir.parent_path());
}


// Lustre mounted without -o flock (its default) answers flock(2) with ENOSYS: `sample` and `study`
// into such a folder failed at once ("cannot lock the output folder: Function not implemented").
// They run unlocked, with a warning; a folder someone else holds is still refused.
int flock_not_implemented(int, int) {
  errno = ENOSYS;
  return -1;
}

TEST(FolderLock, AFileSystemWithoutFlockRunsUnlockedWithAWarning) {
  const fs::path dir = test::scratch_dir("folder_lock_enosys") / "out";
  std::optional<FolderLock> lock;
  ASSERT_NO_THROW(lock.emplace(dir, "sample", false, flock_not_implemented));
  EXPECT_EQ(lock->warning().rfind(dir.string() + ": not locked, its file system does not lock folders (flock: ", 0), 0u)
      << lock->warning();
  EXPECT_NE(lock->warning().find("Function not implemented"), std::string::npos) << lock->warning();
  lock.reset();
  const FolderLock held(dir, "sample", false);
  EXPECT_TRUE(held.warning().empty());
  EXPECT_THROW(FolderLock(dir, "study", false), InputError);
  fs::remove_all(dir.parent_path());
}

}  // namespace
}  // namespace mgscope
