// Reading the same 4096 x 4096 uint16 pixels from TIFF, DM4, TIA SER and MRC (issue target: the
// microscope formats are no slower than TIFF). Files are written once to the temp folder.
#include <benchmark/benchmark.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "imaging/io/read_image.hpp"
#include "imaging/io/tiff_writer.hpp"
#include "tests/imaging/binary_test_files.hpp"

namespace {

using namespace mgscope;
constexpr int kSide = 4096;

std::string bench_path(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string("mgscope_bench_") + name)).string();
}

const std::string& tiff_file() {
  static const std::string path = [] {
    RawImage raw;
    raw.width = raw.height = kSide;
    raw.type = PixelType::u16;
    const test::Bytes px = test::gradient_pixels<std::uint16_t>(kSide, kSide);
    raw.bytes.assign(px.begin(), px.end());
    Calibration cal;
    cal.calibrated = true;
    cal.pixel_x_nm = cal.pixel_y_nm = 0.0199;
    const std::string p = bench_path("4k.tif");
    write_tiff(p, raw, cal);  // uncompressed strips: the fastest TIFF layout
    return p;
  }();
  return path;
}

const std::string& dm4_file() {
  static const std::string path = [] {
    test::DmImageSpec s;
    s.data_type = 10;    // uint16
    s.element_type = 4;  // u16 array
    s.dims = {kSide, kSide};
    s.pixels = test::gradient_pixels<std::uint16_t>(kSide, kSide);
    const std::string p = bench_path("4k.dm4");
    test::write_bytes(p, test::make_dm(test::DmWriter(4, true), s));
    return p;
  }();
  return path;
}

const std::string& ser_file() {
  static const std::string path = [] {
    test::SerSpec s;
    s.width = s.height = kSide;
    const std::string p = bench_path("4k_1.ser");
    test::write_bytes(p, test::make_ser(s));
    return p;
  }();
  return path;
}

const std::string& mrc_file() {
  static const std::string path = [] {
    test::MrcSpec s;
    s.nx = s.ny = s.mx = s.my = kSide;
    s.nz = 1;
    s.mode = 6;  // uint16
    s.cell_x_A = s.cell_y_A = 0.199f * kSide;  // 0.0199 nm pixels (the spec's default cell is for 60 x 40 px)
    const std::string p = bench_path("4k.mrc");
    test::write_bytes(p, test::make_mrc(s));
    return p;
  }();
  return path;
}

template <const std::string& (*File)()>
void BM_Read(benchmark::State& state) {
  const std::string& path = File();
  for (auto _ : state) {
    LoadedImage img = read_image(path);
    benchmark::DoNotOptimize(img.raw.bytes.data());
  }
  state.SetBytesProcessed(state.iterations() * std::int64_t(kSide) * kSide * 2);
}
BENCHMARK_TEMPLATE(BM_Read, tiff_file)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Read, dm4_file)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Read, ser_file)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Read, mrc_file)->Unit(benchmark::kMillisecond);

}  // namespace
