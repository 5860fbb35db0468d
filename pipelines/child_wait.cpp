// One pidfd per child, polled together (Linux 5.3+): a pidfd becomes readable when its child
// ends, without reaping it. Where pidfd_open is missing or refused, a 10 ms poll of each child.
#include "pipelines/child_wait.hpp"

#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace mgscope {

namespace {

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return int(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

// The pidfds of `children`, closed on every way out; -1 for a child whose pidfd could not be had.
class PidFds {
 public:
  explicit PidFds(const std::vector<pid_t>& children) {
    fds_.reserve(children.size());
    for (pid_t pid : children) fds_.push_back(pollfd{open_pidfd(pid), POLLIN, 0});
  }
  ~PidFds() {
    for (const pollfd& p : fds_)
      if (p.fd >= 0) ::close(p.fd);
  }
  PidFds(const PidFds&) = delete;
  PidFds& operator=(const PidFds&) = delete;

  bool all_open() const {
    for (const pollfd& p : fds_)
      if (p.fd < 0) return false;
    return true;
  }
  std::vector<pollfd>& fds() { return fds_; }

 private:
  std::vector<pollfd> fds_;
};

// Reaps the first of `children` that has ended; pid -1 when none has yet.
EndedChild reap_ended(const std::vector<pid_t>& children) {
  for (pid_t pid : children) {
    int status = 0;
    pid_t got = 0;
    do {
      got = ::waitpid(pid, &status, WNOHANG);
    } while (got < 0 && errno == EINTR);
    if (got < 0 && errno == ECHILD) return {pid, 0, true};
    if (got < 0) throw std::system_error(errno, std::generic_category(), "waitpid " + std::to_string(pid));
    if (got == pid) return {pid, status};
  }
  return {};
}

}  // namespace

EndedChild wait_for_first_child(const std::vector<pid_t>& children) {
  if (children.empty()) throw std::system_error(ECHILD, std::generic_category(), "no child to wait for");
  PidFds pidfds(children);
  // Without a pidfd for every child, a child's end cannot wake the poll: look every 10 ms instead.
  const int timeout_ms = pidfds.all_open() ? -1 : 10;
  for (;;) {
    const EndedChild ended = reap_ended(children);
    if (ended.pid > 0) return ended;
    if (::poll(pidfds.fds().data(), nfds_t(pidfds.fds().size()), timeout_ms) < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "poll on the children's pidfds");
  }
}

}  // namespace mgscope
