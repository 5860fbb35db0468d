// libmgscope_mpi.so: the team of an MPI job, loaded by the program (work_team.cpp) only when an
// MPI launcher started it; this module alone links MPI. The leader (rank 0) deals item numbers
// and collects results; every other rank asks for an item, works, sends the result with its next
// request.
//
// The leader also works: on 2 cores a rank that only dealt would leave a core idle. Its own items
// run in a second thread while the main thread deals; only the main thread calls MPI
// (MPI_THREAD_FUNNELED). The dealer polls (MPI_Iprobe) and sleeps 1 ms when there is nothing to
// do, instead of a blocking receive, which in Open MPI spins and would take a core from the work.
#include <mpi.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <thread>

#include "pipelines/mpi_team_module.hpp"

namespace mgscope {

namespace {

constexpr int kTagResult = 1;  // rank -> leader: the item done (-1: none yet) and its result text
constexpr int kTagItem = 2;    // leader -> rank: the next item, or -1: no more work

// The joined job. The program loads this module only when an MPI launcher started it, so the
// first use joins.
struct MpiSession {
  WorkTeam team;
  bool threads_allowed = false;  // MPI_THREAD_FUNNELED granted: the leader may work in a thread

  MpiSession() {
    int provided = MPI_THREAD_SINGLE;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    threads_allowed = provided >= MPI_THREAD_FUNNELED;
    MPI_Comm_rank(MPI_COMM_WORLD, &team.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &team.size);
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &team.local_size);
    MPI_Comm_free(&local);
  }
  // The barrier of leaving (leave_barrier), kept here: a request left pending when the time ran
  // out still owns its buffers until MPI_Abort ends the process.
  bool left = false;  // this rank met the others there
  int leaving_on_error = 0, rank0_left_on_error = 0;
  MPI_Request leaving = MPI_REQUEST_NULL;

  // The barrier of leaving: every rank enters it once, at exit or on an error, and learns whether
  // rank 0 entered on an error. Waits for ever when `seconds` < 0, else up to `seconds`. Returns
  // 1 (rank 0 failed) or 0 once every rank entered, -1 when the time ran out. Non-blocking on
  // both paths: a blocking collective does not match a non-blocking one.
  int leave_barrier(bool failed, double seconds) {
    leaving_on_error = failed && team.rank == 0 ? 1 : 0;
    MPI_Iallreduce(&leaving_on_error, &rank0_left_on_error, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &leaving);
    if (seconds < 0) {
      MPI_Wait(&leaving, MPI_STATUS_IGNORE);
    } else {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
      for (;;) {
        int done = 0;
        MPI_Test(&leaving, &done, MPI_STATUS_IGNORE);
        if (done) break;
        if (std::chrono::steady_clock::now() >= deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    left = true;
    return rank0_left_on_error;
  }

  // At exit, after main() returned on this rank (the module is never unloaded): first the barrier
  // of leaving, which a rank leaving on an error enters too (mpi_leave_on_error), so that a rank
  // failing after the others ended well (rank 0 writing the combined outputs) leaves with them
  // rather than end the job.
  ~MpiSession() {
    if (!left) leave_barrier(false, -1);
    MPI_Finalize();
  }
};

MpiSession& session() {
  static MpiSession s;
  return s;
}

std::string pack(std::int64_t item, const std::string& text) {
  std::string buf(sizeof item, '\0');
  std::memcpy(buf.data(), &item, sizeof item);
  return buf + text;
}

void send_item(int rank, std::int64_t item) {
  MPI_Send(&item, 1, MPI_INT64_T, rank, kTagItem, MPI_COMM_WORLD);
}

void lead(const std::vector<std::size_t>& order, const std::function<std::string(std::size_t)>& work,
          const std::function<void(std::size_t, std::string)>& on_result, bool leader_works) {
  const int size = session().team.size;
  std::size_t next = 0, done = 0;
  int stopped = 0;
  // The leader's own item, worked in `local` while this thread deals.
  std::thread local;
  std::atomic<bool> local_done{false};
  std::size_t local_item = 0;
  std::string local_text;
  auto start_local = [&] {
    if (!leader_works || next >= order.size()) return;
    local_item = order[next++];
    local_done = false;
    local = std::thread([&] {
      local_text = work(local_item);
      local_done = true;
    });
  };
  start_local();
  while (done < order.size() || stopped < size - 1) {
    bool progressed = false;
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &flag, &status);
    if (flag) {
      int bytes = 0;
      MPI_Get_count(&status, MPI_CHAR, &bytes);
      std::string buf(std::size_t(bytes), '\0');
      MPI_Recv(buf.data(), bytes, MPI_CHAR, status.MPI_SOURCE, kTagResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      std::int64_t item = -1;
      std::memcpy(&item, buf.data(), sizeof item);
      if (next < order.size()) {
        send_item(status.MPI_SOURCE, std::int64_t(order[next++]));
      } else {
        send_item(status.MPI_SOURCE, -1);
        ++stopped;
      }
      if (item >= 0) {
        on_result(std::size_t(item), buf.substr(sizeof item));
        ++done;
      }
      progressed = true;
    }
    if (local.joinable() && local_done) {
      local.join();
      on_result(local_item, std::move(local_text));
      ++done;
      start_local();
      progressed = true;
    }
    if (!progressed) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void follow(const std::function<std::string(std::size_t)>& work) {
  std::int64_t item = -1;
  std::string text;
  for (;;) {
    std::string buf = pack(item, text);
    MPI_Send(buf.data(), int(buf.size()), MPI_CHAR, 0, kTagResult, MPI_COMM_WORLD);
    MPI_Recv(&item, 1, MPI_INT64_T, 0, kTagItem, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (item < 0) return;
    text = work(std::size_t(item));
  }
}

WorkTeam mpi_join() { return session().team; }

void mpi_deal_work(const std::vector<std::size_t>& order, const std::function<std::string(std::size_t)>& work,
                   const std::function<void(std::size_t, std::string)>& on_result) {
  MpiSession& s = session();
  if (s.team.size == 1) {
    for (const std::size_t item : order) on_result(item, work(item));
    return;
  }
  try {
    if (s.team.leader())
      lead(order, work, on_result, s.threads_allowed);
    else
      follow(work);
  } catch (const std::exception& e) {
    // The other ranks wait for this one: end the whole job rather than hang it.
    std::fprintf(stderr, "ERROR: rank %d: %s\n", s.team.rank, e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
}

int mpi_leave_on_error(double seconds) { return session().leave_barrier(true, seconds); }

[[noreturn]] void mpi_abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // MPI_Abort does not return; the compiler cannot know
}

}  // namespace

}  // namespace mgscope

// The module's one exported symbol (everything else stays hidden: mgscope_add_module, cmake/MgscopeModule.cmake).
extern "C" __attribute__((visibility("default"))) const mgscope::MpiTeamModule* mgscope_mpi_team_module() {
  static const mgscope::MpiTeamModule table{mgscope::kMpiTeamModuleAbi, mgscope::mpi_join, mgscope::mpi_deal_work,
                                            mgscope::mpi_leave_on_error, mgscope::mpi_abort};
  return &table;
}
