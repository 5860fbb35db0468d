// libFuzzer target for the EMD reader: the bytes become a temporary file (libhdf5 reads files)
// and read_emd must answer with an image or an InputError; anything else is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fitting/base/error.hpp"
#include "imaging/io/emd_reader.hpp"

namespace {

// Frame 1 goes to a sink, as in the reader process: its bands must fill the shape announced.
struct CheckedSink : mgscope::PixelRowSink {
  std::uint64_t announced = 0, received = 0;
  void start(int width, int height, mgscope::PixelType type) override {
    announced = std::uint64_t(width) * std::uint64_t(height) * mgscope::pixel_type_bytes(type);
  }
  void rows(const std::uint8_t*, std::size_t bytes) override {
    received += bytes;
    if (received > announced) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/mgscope_fuzz_emd_" + std::to_string(getpid()) + ".emd";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  for (int frame : {0, 1}) {
    CheckedSink sink;
    mgscope::ReadOptions options{frame};
    if (frame == 1) options.row_sink = &sink;
    try {
      mgscope::read_emd_in_process(path, options);
      if (frame == 1 && sink.received != sink.announced) std::abort();
    } catch (const mgscope::InputError&) {
    }
  }
  return 0;
}
