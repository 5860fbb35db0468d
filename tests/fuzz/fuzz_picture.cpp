// libFuzzer target for the PNG and JPEG readers (libpng and libjpeg behind setjmp): any bytes must
// give an image or an InputError, never a crash, a sanitizer report or a hang. The first byte picks
// the signature put before the rest, so both libraries see most inputs.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fitting/base/error.hpp"
#include "imaging/io/jpeg_reader.hpp"
#include "imaging/io/png_reader.hpp"
#include "tests/fuzz/fuzz_temp_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool png = data[0] % 2 == 0;
  const std::string path = mgscope::fuzz::write_temp(data + 1, size - 1, png ? ".png" : ".jpg");
  try {
    if (png)
      mgscope::read_png(path, {});
    else
      mgscope::read_jpeg(path, {});
  } catch (const mgscope::InputError&) {
  }
  return 0;
}
