// One `sample` or `study` run at a time in an output folder. Two at once emptied and refilled the
// same module folders under each other, and stamped modules whose outputs the other run had
// removed: the damage then passed every later up-to-date check (about half of 18 trials).
#pragma once
#include <filesystem>
#include <string>

namespace mgscope {

// Holds an exclusive flock(2) on the folder itself (no file is added to it) from construction to
// destruction; the folder is created when missing. A folder another process holds is an InputError
// naming it and `command`. With `team_shares_it` (the processes of an MPI team share their output
// folder by design, docs/cluster.md) the lock is a shared one: the team's ranks hold it together,
// and it excludes a single run's exclusive lock both ways. The kernel drops the lock when a killed
// run's process ends.
// A file system that takes no flock (Lustre mounted without -o flock, the default: ENOSYS; some
// network file systems: ENOLCK, EOPNOTSUPP) does not stop the run: every `sample` and `study` into
// such a folder had failed before writing anything. The run goes on unlocked and warning() says so.
// `lock` is flock(2) but for the tests.
class FolderLock {
 public:
  FolderLock(const std::filesystem::path& dir, const std::string& command, bool team_shares_it,
             int (*lock)(int fd, int operation) = nullptr);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  // "DIR: not locked: ..." when the file system refused to lock, else empty.
  const std::string& warning() const { return warning_; }

 private:
  int fd_ = -1;
  std::string warning_;
};

}  // namespace mgscope
