// Waiting for some of this process's children: the first of them to end, leaving every other
// child (a gnuplot run or an image reader started by another thread) to whoever started it.
#pragma once
#include <sys/types.h>

#include <vector>

namespace mgscope {

struct EndedChild {
  pid_t pid = -1;   // which of the children ended
  int status = 0;   // as waitpid gives it (WIFEXITED, WEXITSTATUS, WIFSIGNALED, ...)
  bool lost = false;  // reaped by another wait of this process (ECHILD): how it ended is unknown
};

// Blocks until one of `children` (started by the caller, not yet waited for) ends, reaps that one
// and returns it. Never reaps a process outside `children`: module_runner's waitpid(-1) could collect
// another thread's child (gnuplot_figure's, whose waitpid would then fail and read its zeroed
// status as success).
// Children already ended are taken in the order given. A child that some other wait of this process
// has reaped comes back `lost`; other refusals of the kernel throw std::system_error. An
// interrupting signal is waited past.
EndedChild wait_for_first_child(const std::vector<pid_t>& children);

}  // namespace mgscope
