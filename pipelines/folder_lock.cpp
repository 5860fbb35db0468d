#include "pipelines/folder_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fitting/base/error.hpp"

namespace mgscope {

FolderLock::FolderLock(const std::filesystem::path& dir, const std::string& command, bool team_shares_it) {
  if (team_shares_it) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // a failure is reported by the open below
  fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) fail_input(dir.string(), std::string("cannot open the output folder: ") + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
  const int err = errno;
  ::close(fd_);
  fd_ = -1;
  if (err == EWOULDBLOCK)
    fail_input(dir.string(), "another `mgscope " + command + "` is writing this output folder; wait for it to end "
                             "or give another -o (two runs at once left modules stamped without their outputs)");
  fail_input(dir.string(), std::string("cannot lock the output folder: ") + std::strerror(err));
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the lock
}

}  // namespace mgscope
