// libFuzzer entry for the TIFF reader: any bytes must give a consistent image or an
// InputError; a crash, a sanitizer report, a leak or an allocation past the limit is a bug.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "imaging/io/tiff_reader.hpp"
#include "tests/fuzz/fuzz_mapped_read.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One in-memory file, rewritten for every input: the reader takes a path, and a memfd gives
  // it one without touching the disk.
  static const int fd = memfd_create("fuzz_tiff", 0);
  static const std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (fd < 0 || ftruncate(fd, 0) != 0) return 0;
  if (size > 0 && pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) return 0;
  std::vector<std::uint8_t> read;
  bool was_read = false;
  try {
    const mgscope::LoadedImage img = mgscope::read_tiff(path);
    if (img.raw.bytes.size() != std::size_t(img.raw.width) * std::size_t(img.raw.height) *
                                    mgscope::pixel_type_bytes(img.raw.type))
      __builtin_trap();  // the reader's own contract
    mgscope::to_float(img.raw, path);
    read = img.raw.bytes;
    was_read = true;
  } catch (const mgscope::InputError&) {
  }
  // The same bytes with the pixels left in the file where they can be (ReadOptions::map_pixels):
  // the same pixels as the read whenever both succeed.
  try {
    mgscope::ReadOptions options;
    options.map_pixels = true;
    mgscope::fuzz::expect_same_pixels(mgscope::read_tiff(path, options), was_read ? &read : nullptr);
  } catch (const mgscope::InputError&) {
  }
  return 0;
}
