// This process's team: the ranks of an MPI job when an MPI launcher started the program (through
// the MPI module, loaded only then), else a team of one that runs every item itself. The program
// does not link MPI: a run without mpirun never maps Open MPI's libraries.
#include "pipelines/work_team.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <exception>
#include <initializer_list>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "fitting/base/core_lending.hpp"
#include "pipelines/mpi_team_module.hpp"
#if MGSCOPE_MPI_BUILT
#include "pipelines/mpi_module_loader.hpp"
#endif

namespace mgscope {

namespace {

// Started by an MPI launcher: Open MPI's mpirun, or a PMI/PMIx launcher such as Slurm's srun.
bool launched_by_mpi() {
  const char* parent = std::getenv("MGSCOPE_PARENT_PID");
  if (parent != nullptr && *parent != '\0') return false;  // a module of sample/study: never joins
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

// The first of the variables that is set, else nullptr.
const char* first_env(std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (const char* v = std::getenv(n)) return v;
  return nullptr;
}

#if !MGSCOPE_MPI_BUILT
// Every process of this build runs the whole command: say so once, on rank 0.
void warn_mpi_not_built() {
  const char* size = first_env({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"});
  const char* rank = first_env({"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"});
  if ((size == nullptr || std::atoi(size) > 1) && (rank == nullptr || std::string(rank) == "0")) {
    const std::string processes = size ? std::string(" (") + size + " processes)" : "";
    std::fprintf(stderr, "WARNING: started by an MPI launcher%s, but MPI support was not built in this mgscope "
                 "(MGSCOPE_MPI=OFF): every process runs the whole command (rebuild with -DMGSCOPE_MPI=ON)\n",
                 processes.c_str());
  }
}
#endif

// srun started several tasks of this step with no MPI plugin (its default `--mpi=none` where a site
// sets `MpiDefault=none`), so none of the variables above is set: each task runs the whole command,
// and tasks on other nodes remove each other's temporaries as those of dead processes. Said once,
// by task 0; a warning, not a refusal: each task may have been given its own -o or --shard.
void warn_srun_tasks_without_mpi() {
  const char* parent = std::getenv("MGSCOPE_PARENT_PID");
  const char* tasks = std::getenv("SLURM_STEP_NUM_TASKS");
  const char* task = std::getenv("SLURM_PROCID");
  if ((parent != nullptr && *parent != '\0') || tasks == nullptr || task == nullptr || std::atoi(tasks) < 2 ||
      std::string(task) != "0")
    return;
  std::fprintf(stderr,
               "WARNING: started by srun as one of %s tasks, but not as an MPI job (no PMI or PMIx variables: "
               "srun --mpi=none): every task runs the whole command, into the same output folder unless each "
               "has its own -o or --shard; run `srun --mpi=pmix mgscope ...` or `mpirun mgscope ...` to share "
               "the work, or one task with --cpus-per-task (docs/cluster.md)\n",
               tasks);
}

// The module of the MPI job of several ranks this process joined, for leave_on_error and
// end_the_job_if_joined (which must not join one themselves, as team() would).
std::atomic<const MpiTeamModule*> joined_job{nullptr};

struct Team {
  WorkTeam team;
  const MpiTeamModule* mpi = nullptr;  // set when this process joined an MPI job
};

Team make_team() {
  if (!launched_by_mpi()) {
    warn_srun_tasks_without_mpi();
    return {};
  }
#if MGSCOPE_MPI_BUILT
  // Throws, naming where it looked, when the module is missing: running on alone would make every
  // rank do the whole command.
  const MpiTeamModule& mpi = load_mpi_team_module();
  const WorkTeam joined = mpi.join();
  if (joined.size > 1) joined_job = &mpi;
  return {joined, &mpi};
#else
  warn_mpi_not_built();
  return {};
#endif
}

const Team& team() {
  static const Team t = make_team();
  return t;
}

}  // namespace

const WorkTeam& work_team() { return team().team; }

int launcher_rank() {
  if (!launched_by_mpi()) return 0;
  const char* rank = first_env({"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"});
  return rank != nullptr ? std::atoi(rank) : 0;
}

bool launched_with_other_ranks() {
  if (!launched_by_mpi()) return false;
  const char* size = first_env({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"});
  return size == nullptr || std::atoi(size) > 1;
}

JobLeaving leave_on_error(double seconds) {
#if MGSCOPE_MPI_BUILT
  // A rank that fails before its command joined the job joins now, to meet the others as they
  // leave: rank 0 then says an error every rank found, and the others learn it did, instead of
  // each guessing from a wait (under srun, whose step goes on when a task fails, they all spoke).
  if (joined_job.load() == nullptr && launched_with_other_ranks()) try {
      team();
    } catch (const std::exception&) {  // no module to join with (that may be the error itself)
    }
#endif
  const MpiTeamModule* mpi = joined_job.load();
  if (mpi == nullptr) return JobLeaving::kNotJoined;
  const int rank0_failed = mpi->leave_on_error(seconds);
  return rank0_failed < 0    ? JobLeaving::kOthersWorking
         : rank0_failed == 1 ? JobLeaving::kAllLeftRank0Failed
                             : JobLeaving::kAllLeftRank0Succeeded;
}

void end_the_job_if_joined(int code) {
  const MpiTeamModule* mpi = joined_job.load();
  if (mpi != nullptr) mpi->abort(code);
}

void deal_work(const std::vector<std::size_t>& order, const std::function<std::string(std::size_t)>& work,
               const std::function<void(std::size_t, std::string)>& on_result, int at_once, bool lend_cores) {
  const Team& t = team();
  if (t.mpi != nullptr) {
    t.mpi->deal_work(order, work, on_result);
    return;
  }
  if (at_once <= 1 || order.size() < 2) {
    for (const std::size_t item : order) on_result(item, work(item));
    return;
  }
  // Workers take the next item in order and queue its result; this thread hands the results on.
  // An exception of work() or of on_result() (an output that cannot be written) stops the dealing:
  // the workers finish the items they hold, are joined, and it is thrown here. Thrown past joinable
  // threads, it had ended the program (std::terminate).
  std::mutex mutex;
  std::condition_variable done_cv;
  std::deque<std::pair<std::size_t, std::string>> done;
  std::size_t next = 0;
  int workers_left = std::min<int>(at_once, int(order.size()));
  std::exception_ptr failure;
  CoreLender lender(std::max(0, usable_cores() - workers_left));
  auto worker = [&] {
    CoreLenderScope scope(lend_cores ? &lender : nullptr);
    for (;;) {
      std::size_t item;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next == order.size() || failure) {
          if (lend_cores) lender.lend();  // to the items still running
          --workers_left;
          done_cv.notify_one();
          return;
        }
        item = order[next++];
      }
      std::string text;
      std::exception_ptr thrown;
      try {
        text = work(item);
      } catch (...) {
        thrown = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mutex);
      if (thrown && !failure) failure = thrown;
      if (!thrown) done.emplace_back(item, std::move(text));
      done_cv.notify_one();
    }
  };
  // A thread the system refuses (EAGAIN: a limit on processes or threads, on a busy login node)
  // leaves the items to the workers that started, or to this thread when none did; the outputs are
  // the same. Thrown out of here, it had ended the program past the joinable ones (std::terminate).
  std::vector<std::thread> workers;
  for (int k = 0, n = workers_left; k < n; ++k) {
    try {
      workers.emplace_back(worker);
    } catch (const std::system_error&) {
      std::lock_guard<std::mutex> lock(mutex);
      workers_left -= n - k;
      break;
    }
  }
  if (workers.empty()) {
    for (const std::size_t item : order) on_result(item, work(item));
    return;
  }
  for (;;) {
    std::unique_lock<std::mutex> lock(mutex);
    done_cv.wait(lock, [&] { return !done.empty() || failure || workers_left == 0; });
    if (failure || done.empty()) break;
    auto [item, text] = std::move(done.front());
    done.pop_front();
    lock.unlock();
    try {
      on_result(item, std::move(text));
    } catch (...) {
      lock.lock();
      failure = std::current_exception();
      break;
    }
  }
  for (std::thread& w : workers) w.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace mgscope
