// stat(2) follows symbolic links, so a link to a regular file is read and a link to a FIFO is not.
#include "fitting/base/input_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "fitting/base/error.hpp"

namespace mgscope {

void fail_open(const std::string& path) {
  fail_input(path, std::string("cannot open file: ") + (errno ? std::strerror(errno) : "reason unknown"));
}

std::uint64_t require_regular_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail_open(path);
  const auto mode = st.st_mode;
  if (S_ISREG(mode)) return static_cast<std::uint64_t>(st.st_size);
  const char* what = S_ISDIR(mode)    ? "a folder"
                     : S_ISFIFO(mode) ? "a FIFO (named pipe)"
                     : S_ISCHR(mode)  ? "a character device"
                     : S_ISBLK(mode)  ? "a block device"
                     : S_ISSOCK(mode) ? "a socket"
                                      : "not a regular file";
  fail_input(path, std::string("is ") + what + ", not a regular file: refused without reading it");
}

}  // namespace mgscope
