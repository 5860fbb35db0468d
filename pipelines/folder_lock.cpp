#include "pipelines/folder_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fitting/base/error.hpp"
#include "pipelines/atomic_file.hpp"

namespace mgscope {

namespace {

// The errors of a file system without flock, as opposed to a lock someone holds or a bad folder.
bool locking_unsupported(int err) { return err == ENOSYS || err == ENOLCK || err == EOPNOTSUPP || err == EINVAL; }

}  // namespace

FolderLock::FolderLock(const std::filesystem::path& dir, const std::string& command, bool team_shares_it,
                       int (*lock)(int fd, int operation)) {
  if (lock == nullptr) lock = ::flock;
  // A folder that cannot be made is said with its own reason (a read-only file system), not the
  // open's "No such file or directory" that follows it.
  create_output_folder(dir);
  fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) fail_input(dir.string(), std::string("cannot open the output folder: ") + std::strerror(errno));
  // The processes of an MPI team share the folder by design: each takes a shared lock, which a
  // single run's exclusive one excludes both ways (an MPI `study` into a folder another `study`
  // wrote had taken no lock at all, and the two left modules stamped without their outputs).
  if (lock(fd_, (team_shares_it ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0) return;
  const int err = errno;
  ::close(fd_);
  fd_ = -1;
  if (locking_unsupported(err)) {
    warning_ = dir.string() + ": not locked, its file system does not lock folders (flock: " + std::strerror(err) +
               "; on Lustre, mount with -o flock): make sure no other `mgscope sample` or `mgscope study` writes "
               "this output folder while this one runs";
    return;
  }
  if (err == EWOULDBLOCK)
    fail_input(dir.string(), "another `mgscope " + command + "` is writing this output folder; wait for it to end "
                             "or give another -o (two runs at once left modules stamped without their outputs)");
  fail_input(dir.string(), std::string("cannot lock the output folder: ") + std::strerror(err));
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the lock
}

}  // namespace mgscope
