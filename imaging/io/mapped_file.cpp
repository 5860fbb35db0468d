#include "imaging/io/mapped_file.hpp"

#include <atomic>
#include <cstring>
#include <stdexcept>

#include "fitting/base/error.hpp"

#if defined(__unix__)
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define MGSCOPE_CAN_MAP 1
#endif

namespace mgscope {

#ifdef MGSCOPE_CAN_MAP
namespace {

// The mappings the SIGBUS handler may repair. A fixed table of atomics: the handler can neither
// lock nor allocate. 64 files mapped at once is far beyond a batch's images in flight; when the
// table is full, a file is read instead of mapped.
constexpr int kSlots = 64;
struct Slot {
  std::atomic<bool> taken{false};
  std::atomic<std::uintptr_t> begin{0}, end{0};
  std::atomic<bool> damaged{false};
};
Slot g_slots[kSlots];
std::uintptr_t g_page = 4096;
struct sigaction g_previous {};

void call_previous(int sig, siginfo_t* info, void* context) {
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction) g_previous.sa_sigaction(sig, info, context);
    return;
  }
  if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
    g_previous.sa_handler(sig);
    return;
  }
  // Default action: restored, and the faulting access, run again on return, ends the process as
  // it would have without this handler.
  signal(sig, SIG_DFL);
}

void on_sigbus(int sig, siginfo_t* info, void* context) {
  const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  for (Slot& s : g_slots) {
    const std::uintptr_t begin = s.begin.load(std::memory_order_acquire), end = s.end.load(std::memory_order_acquire);
    if (begin == 0 || address < begin || address >= end) continue;
    // The file ends before this page now: zero pages from here to the mapping's end, so that
    // the access (run again on return) and every later one read 0; check_unchanged() refuses it.
    const std::uintptr_t page = address & ~(g_page - 1);
    void* p =
        mmap(reinterpret_cast<void*>(page), end - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (p != MAP_FAILED) {
      s.damaged.store(true, std::memory_order_release);
      return;
    }
    break;
  }
  call_previous(sig, info, context);
}

bool install_handler() {
  struct sigaction action {};
  action.sa_sigaction = on_sigbus;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  g_page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  return sigaction(SIGBUS, &action, &g_previous) == 0;
}

std::int64_t mtime_ns(const struct stat& st) {
  return std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace

FileStamp file_stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {std::uint64_t(st.st_size), mtime_ns(st)};
}

std::shared_ptr<const MappedFile> MappedFile::open(const std::string& path, int caller_fd) {
  static const bool handled = install_handler();
  if (!handled) return nullptr;
  const int fd = caller_fd >= 0 ? fcntl(caller_fd, F_DUPFD_CLOEXEC, 0) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
    ::close(fd);
    return nullptr;
  }
  // The object first, so that a failed allocation (the one way this can throw) maps nothing, and
  // every later failure is undone by its destructor.
  std::shared_ptr<MappedFile> m;
  try {
    m.reset(new MappedFile());
    m->path_ = path;
  } catch (...) {
    ::close(fd);
    return nullptr;
  }
  m->fd_ = fd;
  for (int i = 0; i < kSlots && m->slot_ < 0; ++i) {
    bool expected = false;
    if (g_slots[i].taken.compare_exchange_strong(expected, true)) m->slot_ = i;
  }
  if (m->slot_ < 0) return nullptr;
  const auto size = static_cast<std::size_t>(st.st_size);
  void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) return nullptr;
  m->data_ = static_cast<const std::uint8_t*>(p);
  m->size_ = size;
  m->mtime_ns_ = mtime_ns(st);
  Slot& s = g_slots[m->slot_];
  s.damaged.store(false);
  s.end.store(reinterpret_cast<std::uintptr_t>(p) + ((size + g_page - 1) & ~(g_page - 1)), std::memory_order_release);
  s.begin.store(reinterpret_cast<std::uintptr_t>(p), std::memory_order_release);
  return m;
}

MappedFile::~MappedFile() {
  if (slot_ >= 0) {
    g_slots[slot_].begin.store(0, std::memory_order_release);
    g_slots[slot_].end.store(0, std::memory_order_release);
  }
  if (data_) munmap(const_cast<std::uint8_t*>(data_), size_);
  if (fd_ >= 0) ::close(fd_);
  if (slot_ >= 0) g_slots[slot_].taken.store(false, std::memory_order_release);
}

void MappedFile::write_private(std::size_t offset, const void* bytes, std::size_t n) const {
  if (offset > size_ || n > size_ - offset) throw std::out_of_range("MappedFile::write_private beyond " + path_);
  const auto first = reinterpret_cast<std::uintptr_t>(data_ + offset) & ~(g_page - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(data_ + offset + n);
  // The pages stay writable (private copies now): turning them back to read-only could catch
  // another thread writing to the same page for another frame of the file.
  if (mprotect(reinterpret_cast<void*>(first), end - first, PROT_READ | PROT_WRITE) != 0)
    throw std::runtime_error("cannot make a page of " + path_ + " writable in memory");
  std::memcpy(const_cast<std::uint8_t*>(data_) + offset, bytes, n);
}

void MappedFile::check_unchanged() const {
  if (g_slots[slot_].damaged.load(std::memory_order_acquire))
    fail_input(path_, "the file was truncated while it was being analysed (its pixels were read from the file as "
                      "it changed): nothing is kept for it; analyse it again once it is complete");
  struct stat st {};
  if (fstat(fd_, &st) != 0 || std::size_t(st.st_size) != size_ || mtime_ns(st) != mtime_ns_)
    fail_input(path_, "the file changed while it was being analysed (its size or modification time differs from "
                      "when it was opened): nothing is kept for it; analyse it again once it is complete");
}

#else  // no mmap: every file is read

std::shared_ptr<const MappedFile> MappedFile::open(const std::string&, int) { return nullptr; }
MappedFile::~MappedFile() = default;
void MappedFile::check_unchanged() const {}
void MappedFile::write_private(std::size_t, const void*, std::size_t) const {}

#endif

}  // namespace mgscope
