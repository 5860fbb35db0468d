// libFuzzer target for the EMD reader: the bytes become a temporary file (libhdf5 reads files)
// and read_emd must answer with an image or an InputError; anything else is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "fitting/base/error.hpp"
#include "imaging/io/emd_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/mgscope_fuzz_emd_" + std::to_string(getpid()) + ".emd";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  for (int frame : {0, 1}) {
    try {
      mgscope::read_emd_in_process(path, mgscope::ReadOptions{frame});
    } catch (const mgscope::InputError&) {
    }
  }
  return 0;
}
