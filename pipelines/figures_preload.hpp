// The figures module loaded on a thread of its own while a command reads and analyses its first
// image. Loaded by the first figure instead, its 10-15 ms come after the analysis, with the other
// core idle; reading a file is done on one core, so the load there costs no time.
#pragma once
#include <thread>

namespace mgscope {

class FiguresPreload {
 public:
  // Starts the load when `start`. Not to be started when a file may be read in a forked child
  // process (EMD, isolated_read.hpp): the child could inherit the dynamic loader's lock held by
  // this thread, and then wait for it forever when it loads the HDF5 module.
  explicit FiguresPreload(bool start);
  ~FiguresPreload();  // waits for the load to finish
  FiguresPreload(const FiguresPreload&) = delete;
  FiguresPreload& operator=(const FiguresPreload&) = delete;

 private:
  std::thread thread_;
};

}  // namespace mgscope
