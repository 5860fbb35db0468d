// The run-length deflate encoder against two independent inflaters (zlib's and libdeflate's).
#include "imaging/deflate_runs.hpp"

#include <gtest/gtest.h>
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace mgscope {
namespace {

std::vector<std::uint8_t> inflate_with_zlib(const std::vector<std::uint8_t>& raw, std::size_t expected) {
  std::vector<std::uint8_t> out(expected + 16);
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, -15), Z_OK);
  z.next_in = const_cast<Bytef*>(raw.data());
  z.avail_in = uInt(raw.size());
  z.next_out = out.data();
  z.avail_out = uInt(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  EXPECT_EQ(z.avail_in, 0u);  // nothing after the final block
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

std::vector<std::uint8_t> inflate_with_libdeflate(const std::vector<std::uint8_t>& raw, std::size_t expected) {
  std::vector<std::uint8_t> out(expected);
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  std::size_t got = 0;
  EXPECT_EQ(libdeflate_deflate_decompress(d, raw.data(), raw.size(), out.data(), out.size(), &got), LIBDEFLATE_SUCCESS);
  libdeflate_free_decompressor(d);
  out.resize(got);
  return out;
}

// `row`: deflate_runs' row_bytes (0: runs only).
void expect_round_trip(const std::vector<std::uint8_t>& data, std::size_t row = 0) {
  const std::vector<std::uint8_t> raw = deflate_runs(data.data(), data.size(), true, row);
  EXPECT_EQ(inflate_with_zlib(raw, data.size()), data) << "row " << row;
  EXPECT_EQ(inflate_with_libdeflate(raw, data.size()), data) << "row " << row;
}

TEST(DeflateRuns, SmallAndEdgeInputsComeBackExactly) {
  expect_round_trip({});
  expect_round_trip({7});
  expect_round_trip({255, 255});
  expect_round_trip({0, 0, 0, 0});
  // Runs of every length around the length codes' edges (3, 10, 11, 258, 259, 300).
  for (int len : {2, 3, 4, 10, 11, 18, 19, 130, 131, 257, 258, 259, 260, 300, 516, 517}) {
    std::vector<std::uint8_t> d = {1, 2};
    d.insert(d.end(), std::size_t(len), 9);
    d.push_back(3);
    expect_round_trip(d);
  }
}

TEST(DeflateRuns, NoiseRunsAndManyBlocksComeBackExactly) {
  std::mt19937 rng(5);
  std::vector<std::uint8_t> d;
  // 600,000 bytes: three blocks of 256 KiB; noise of a narrow spread (like Sub-filtered
  // micrograph rows), runs of every length and flat stretches (frames, a white strip).
  while (d.size() < 600000) {
    const unsigned kind = rng() % 4;
    const std::size_t n = 1 + rng() % 3000;
    for (std::size_t k = 0; k < n; ++k) {
      if (kind == 0) d.push_back(std::uint8_t(rng()));
      else if (kind == 1) d.push_back(std::uint8_t(128 + int(rng() % 9) - 4));
      else if (kind == 2) d.push_back(d.empty() ? 0 : d.back());
      else d.push_back(std::uint8_t(k % 3 == 0 ? 0 : 255));
    }
  }
  expect_round_trip(d);
}

// Every run is found wherever it starts: the encoder passes 14 bytes at a time where none can start,
// so runs are put at every position modulo 16 in noise. A run missed would cost its length in
// literals (8 bits each on uniform noise): 48 missed runs of 40 would add 1,920 bytes.
TEST(DeflateRuns, RunsAreFoundAtEveryOffset) {
  std::mt19937 rng(11);
  std::vector<std::uint8_t> d;
  std::size_t noise = 0;
  for (int k = 0; k < 48; ++k) {
    const std::size_t gap = 20 + std::size_t(k % 16) + 16 * std::size_t(rng() % 4);
    for (std::size_t j = 0; j < gap; ++j) d.push_back(std::uint8_t(rng()));
    noise += gap;
    d.insert(d.end(), 40, d.back());
  }
  expect_round_trip(d);
  const std::size_t size = deflate_runs(d.data(), d.size(), true).size();
  EXPECT_LT(size, noise + 48 * 3 + 400) << d.size() << " bytes, " << noise << " of them noise";
}

TEST(DeflateRuns, PiecesJoinIntoOneStream) {
  // Pieces made on their own and written one after another inflate to the whole: what the PNG
  // encoder's bands rely on. A run at the start of a piece may not reach into the piece before.
  std::vector<std::uint8_t> whole, raw;
  const std::size_t sizes[] = {1000, 0, 1, 70000, 513};
  std::uint8_t value = 0;
  for (std::size_t p = 0; p < 5; ++p) {
    std::vector<std::uint8_t> piece;
    for (std::size_t k = 0; k < sizes[p]; ++k) piece.push_back(k % 97 < 40 ? value : std::uint8_t(k * 31));
    whole.insert(whole.end(), piece.begin(), piece.end());
    const std::vector<std::uint8_t> bytes = deflate_runs(piece.data(), piece.size(), p == 4);
    raw.insert(raw.end(), bytes.begin(), bytes.end());
  }
  EXPECT_EQ(inflate_with_zlib(raw, whole.size()), whole);
  EXPECT_EQ(inflate_with_libdeflate(raw, whole.size()), whole);
}

TEST(DeflateRuns, AsSmallAsZlibsRunLengthStrategy) {
  // Noise of a narrow spread with a few long flat stretches: zlib's Z_RLE at level 1 (what the
  // encoder replaces) against ours. Ours adapts per block and should be within 2 % of it.
  std::mt19937 rng(9);
  std::normal_distribution<double> noise(0, 6);
  std::vector<std::uint8_t> d(1 << 20);
  for (std::size_t i = 0; i < d.size(); ++i)
    d[i] = (i / 4096) % 16 == 3 ? 0 : std::uint8_t(int(std::lround(noise(rng))));
  const std::vector<std::uint8_t> ours = deflate_runs(d.data(), d.size(), true);
  z_stream z{};
  ASSERT_EQ(deflateInit2(&z, 1, Z_DEFLATED, -15, 8, Z_RLE), Z_OK);
  std::vector<std::uint8_t> theirs(deflateBound(&z, uLong(d.size())));
  z.next_in = d.data();
  z.avail_in = uInt(d.size());
  z.next_out = theirs.data();
  z.avail_out = uInt(theirs.size());
  ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  const double ratio = double(ours.size()) / double(z.total_out);
  deflateEnd(&z);
  EXPECT_LT(ratio, 1.02);
  EXPECT_GT(ratio, 0.8);
  expect_round_trip(d);
}

// Rows of `row` bytes, most repeating the row above whole or in part (a map figure's cells, a colour
// bar changing down the rows), some of noise.
std::vector<std::uint8_t> repeated_rows(std::size_t row, std::size_t rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> d;
  for (std::size_t r = 0; r < rows; ++r) {
    const unsigned kind = r == 0 ? 0 : rng() % 4;
    for (std::size_t k = 0; k < row; ++k) {
      const std::uint8_t above = r ? d[d.size() - row] : 0;
      if (kind == 0) d.push_back(std::uint8_t(rng() % 7));                         // new cells
      else if (kind == 1) d.push_back(above);                                      // the row again
      else if (kind == 2) d.push_back(k > row * 3 / 4 ? std::uint8_t(r) : above);  // a bar at the right
      else d.push_back(std::uint8_t(rng()));                                       // noise
    }
  }
  return d;
}

// Copies of the row above at distances of every kind of distance code: without extra bits (2-4),
// with few (5, 100) and many (2049, 2341 as a 780 px RGB map's scanline, 32768 the largest).
TEST(DeflateRuns, RowCopiesComeBackExactlyAtEveryDistanceCode) {
  for (std::size_t row : {2, 3, 4, 5, 100, 257, 2049, 2341, 32768}) {
    const std::size_t rows = std::max<std::size_t>(4, 400000 / row);
    expect_round_trip(repeated_rows(row, rows, unsigned(row)), row);
  }
  expect_round_trip({}, 100);
  expect_round_trip({1, 2, 3}, 2);
}

// Rows repeated make a stream of a few bytes a row: 200 rows of 2,341 bytes, each a row of new
// values repeated five times, code in about a sixth of their literals' bits.
TEST(DeflateRuns, RepeatedRowsCodeAsCopies) {
  std::mt19937 rng(3);
  const std::size_t row = 2341;
  std::vector<std::uint8_t> d;
  for (int r = 0; r < 200; ++r)
    for (std::size_t k = 0; k < row; ++k) d.push_back(r % 5 ? d[d.size() - row] : std::uint8_t(rng()));
  const std::size_t without = deflate_runs(d.data(), d.size(), true).size();
  const std::size_t with = deflate_runs(d.data(), d.size(), true, row).size();
  EXPECT_LT(with * 4, without) << with << " against " << without;
  expect_round_trip(d, row);
  // A distance beyond deflate's window (32 KiB) is not used: the same bytes as without rows.
  EXPECT_EQ(deflate_runs(d.data(), d.size(), true, 40000), deflate_runs(d.data(), d.size(), true));
}

// The whole stream only when runs and copies cover the share asked for: a picture of repeated rows
// passes, noise does not.
TEST(DeflateRuns, RepeatedRowsOnlyWhereTheyCoverTheShareAskedFor) {
  std::mt19937 rng(8);
  const std::size_t row = 999;
  std::vector<std::uint8_t> cells, noise(200 * row);
  for (int r = 0; r < 200; ++r)
    for (std::size_t k = 0; k < row; ++k) cells.push_back(r % 8 ? cells[cells.size() - row] : std::uint8_t(k / 9 * 31));
  for (auto& b : noise) b = std::uint8_t(rng());
  const auto from_cells = deflate_repeated_rows(cells.data(), cells.size(), row, 0.85);
  ASSERT_TRUE(from_cells.has_value());
  EXPECT_EQ(*from_cells, deflate_runs(cells.data(), cells.size(), true, row));
  EXPECT_EQ(inflate_with_zlib(*from_cells, cells.size()), cells);
  EXPECT_FALSE(deflate_repeated_rows(noise.data(), noise.size(), row, 0.85).has_value());
  EXPECT_TRUE(deflate_repeated_rows(noise.data(), noise.size(), row, 0.0).has_value());
}

// Stored blocks (at most 65,535 bytes each) inflate to the bytes, alone and as pieces between
// deflate_runs pieces, the last one final; five bytes of header per block.
TEST(DeflateStored, ComesBackExactlyAloneAndJoinedWithCodedPieces) {
  std::mt19937 random(3);
  for (const std::size_t size :
       {std::size_t(0), std::size_t(1), std::size_t(65535), std::size_t(65536), std::size_t(200000)}) {
    std::vector<std::uint8_t> data(size);
    for (auto& b : data) b = std::uint8_t(random());
    const std::vector<std::uint8_t> raw = deflate_stored(data.data(), size, true);
    EXPECT_EQ(raw.size(), size + 5 * std::max<std::size_t>(1, (size + 65534) / 65535)) << size;
    EXPECT_EQ(inflate_with_zlib(raw, size), data) << size;
    EXPECT_EQ(inflate_with_libdeflate(raw, size), data) << size;
  }
  std::vector<std::uint8_t> whole, raw;
  for (int p = 0; p < 4; ++p) {
    std::vector<std::uint8_t> piece(70000 + 13 * std::size_t(p));
    for (std::size_t k = 0; k < piece.size(); ++k) piece[k] = k % 50 < 20 ? 7 : std::uint8_t(random());
    whole.insert(whole.end(), piece.begin(), piece.end());
    const bool last = p == 3;
    const std::vector<std::uint8_t> bytes =
        p % 2 ? deflate_stored(piece.data(), piece.size(), last) : deflate_runs(piece.data(), piece.size(), last);
    raw.insert(raw.end(), bytes.begin(), bytes.end());
  }
  EXPECT_EQ(inflate_with_zlib(raw, whole.size()), whole);
  EXPECT_EQ(inflate_with_libdeflate(raw, whole.size()), whole);
}

// 1 - entropy / 8 of the bytes sampled: a constant 1, two values equally often 7/8, every byte
// value equally often 0; only every step-th stretch is counted.
TEST(DeflateStored, LiteralSavingIsOneLessTheEntropyInBytes) {
  std::vector<std::uint8_t> data(256 * 64);
  for (std::size_t k = 0; k < data.size(); ++k) data[k] = std::uint8_t(k);
  EXPECT_NEAR(literal_saving(data.data(), data.size(), 256, 1), 0.0, 1e-12);
  for (std::size_t k = 0; k < data.size(); ++k) data[k] = std::uint8_t(k % 2 ? 9 : 4);
  EXPECT_NEAR(literal_saving(data.data(), data.size(), 256, 1), 7.0 / 8.0, 1e-12);
  // Rows of 256: every second one constant, the others all values; a step of 2 sees the constant
  // rows alone.
  for (std::size_t k = 0; k < data.size(); ++k) data[k] = (k / 256) % 2 ? std::uint8_t(k) : 42;
  EXPECT_NEAR(literal_saving(data.data(), data.size(), 256, 2), 1.0, 1e-12);
  // All rows: 42 in half the bytes and once in each other row, every other value once in 512.
  const double p42 = 0.5 + 1.0 / 512, entropy = -p42 * std::log2(p42) + 255.0 / 512 * 9;
  EXPECT_NEAR(literal_saving(data.data(), data.size(), 256, 1), 1.0 - entropy / 8, 1e-12);
  EXPECT_EQ(literal_saving(data.data(), 0, 256, 1), 0.0);
}

}  // namespace
}  // namespace mgscope
