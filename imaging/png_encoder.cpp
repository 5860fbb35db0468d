#include "imaging/png_encoder.hpp"

#include <libdeflate.h>
#include <zlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "fitting/base/parallel_for.hpp"
#include "imaging/deflate_runs.hpp"

namespace mgscope {

namespace {

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::uint8_t(v >> shift));
}

struct Bytes {
  const std::uint8_t* data;
  std::size_t size;
};

// length, type, data (the parts one after the other), CRC-32 of type and data (big-endian, as
// the specification asks).
void put_chunk(std::vector<std::uint8_t>& out, const char type[4], const std::vector<Bytes>& parts) {
  std::size_t size = 0;
  for (const Bytes& p : parts) size += p.size;
  put_u32(out, std::uint32_t(size));
  const std::size_t type_at = out.size();
  out.insert(out.end(), type, type + 4);
  for (const Bytes& p : parts)
    if (p.size) out.insert(out.end(), p.data, p.data + p.size);
  put_u32(out, std::uint32_t(libdeflate_crc32(0, out.data() + type_at, size + 4)));
}

void put_chunk(std::vector<std::uint8_t>& out, const char type[4], const std::uint8_t* data, std::size_t size) {
  put_chunk(out, type, std::vector<Bytes>{Bytes{data, size}});
}

// Level 3: on the 2048 px overlay of a noisy 4k micrograph levels 1 to 6 all take about 100 ms
// (noise does not compress fast); 3 gives 5.5 MB like 6, level 1 7.4 MB.
constexpr int kDeflateLevel = 3;

// Whether the 16 BGR pixels at `bgr` are all gray (B = G = R), for runs of pixels that end at least
// one byte before the row does (the test reads byte 48). Most of an overlay is gray: the runs are
// tested 16 pixels at a time, and only runs with a colour are looked at pixel by pixel.
constexpr int kGrayRun = 16;

bool sixteen_gray(const std::uint8_t* bgr) {
#if defined(__SSE2__)
  // Byte j equals byte j + 1, for the 48 bytes; a pixel is gray when that holds at its bytes 0 and 1.
  const auto p = reinterpret_cast<const __m128i*>(bgr);
  const auto q = reinterpret_cast<const __m128i*>(bgr + 1);
  const unsigned e0 = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(p), _mm_loadu_si128(q))));
  const unsigned e1 = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(p + 1), _mm_loadu_si128(q + 1))));
  const unsigned e2 = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(p + 2), _mm_loadu_si128(q + 2))));
  // Bits 3i and 3i + 1 of the 48 (i = 0..15), split into the three 16-bit masks.
  constexpr unsigned kM0 = 0xB6DBu, kM1 = 0xDB6Du, kM2 = 0x6DB6u;
  return (e0 & kM0) == kM0 && (e1 & kM1) == kM1 && (e2 & kM2) == kM2;
#else
  for (int k = 0; k < kGrayRun; ++k)
    if (bgr[3 * k] != bgr[3 * k + 1] || bgr[3 * k + 1] != bgr[3 * k + 2]) return false;
  return true;
#endif
}

// The colours of a BGR picture when there are at most 256 (the overlay of a micrograph without
// left-out boxes: its grays, the two frame colours, the legend's swatches). Grays come first in
// ascending order, so an index follows its gray level and the Sub filter predicts it as well as
// it predicts a gray picture.
struct Palette {
  std::vector<std::uint32_t> rgb;     // packed 0xRRGGBB, index order
  std::array<std::uint8_t, 256> gray_index{};
  std::vector<std::uint32_t> others;  // the non-gray colours, ascending; index = grays + rank
  std::uint8_t index_of(const std::uint8_t* bgr) const {
    if (bgr[0] == bgr[1] && bgr[1] == bgr[2]) return gray_index[bgr[0]];
    const std::uint32_t c = std::uint32_t(bgr[2]) << 16 | std::uint32_t(bgr[1]) << 8 | bgr[0];
    return std::uint8_t(rgb.size() - others.size() +
                        std::size_t(std::lower_bound(others.begin(), others.end(), c) - others.begin()));
  }
};

// The gray runs (kGrayRun pixels from x = 16 j, ending before the row does) that palette_of found,
// and their gray levels, so that the indices are made without reading the picture's BGR bytes again.
struct GrayRuns {
  int runs_per_row = 0;
  std::vector<std::uint64_t> is_gray;  // bit per run, row by row
  std::unique_ptr<std::uint8_t[]> level;  // per pixel of a gray run (others not written)
  bool gray(int y, int run) const {
    const std::size_t i = std::size_t(y) * std::size_t(runs_per_row) + std::size_t(run);
    return (is_gray[i / 64] >> (i % 64)) & 1;
  }
};

// The gray levels met so far, counted pixel by pixel or in runs.
std::size_t gray_levels_seen(const std::array<std::uint64_t, 256>& gray_count,
                             const std::uint32_t (&run_count)[4][256]) {
  std::size_t seen = 0;
  for (std::size_t g = 0; g < 256; ++g)
    seen += (gray_count[g] | run_count[0][g] | run_count[1][g] | run_count[2][g] | run_count[3][g]) != 0;
  return seen;
}

// The palette of a picture whose pixels hold the gray levels counted in `gray_count` and the non-gray
// colours `others` (packed 0xRRGGBB, ascending, distinct), or none when they do not fit in 256 (see
// PngOptions::merge_gray_share).
std::optional<Palette> palette_from_counts(const std::array<std::uint64_t, 256>& gray_count,
                                           std::vector<std::uint32_t> others, double merge_share, double pixels) {
  Palette p;
  p.others = std::move(others);
  std::vector<int> levels;  // the gray levels present, least used first (ties: lower level first)
  for (int g = 0; g < 256; ++g)
    if (gray_count[std::size_t(g)]) levels.push_back(g);
  const std::size_t total = levels.size() + p.others.size();
  const std::size_t excess = total > 256 ? total - 256 : 0;
  if (excess > 0 && excess >= levels.size()) return std::nullopt;  // merging cannot make room
  std::stable_sort(levels.begin(), levels.end(),
                   [&](int a, int b) { return gray_count[std::size_t(a)] < gray_count[std::size_t(b)]; });
  std::array<bool, 256> kept{};
  for (std::size_t k = excess; k < levels.size(); ++k) kept[std::size_t(levels[k])] = true;
  std::uint64_t merged = 0;
  for (std::size_t k = 0; k < excess; ++k) merged += gray_count[std::size_t(levels[k])];
  if (double(merged) > merge_share * pixels) return std::nullopt;
  for (int g = 0; g < 256; ++g)
    if (kept[std::size_t(g)]) {
      p.gray_index[std::size_t(g)] = std::uint8_t(p.rgb.size());
      p.rgb.push_back(std::uint32_t(g) * 0x010101u);
    }
  for (std::size_t k = 0; k < excess; ++k) {  // each merged level to the nearest kept one (the lower on a tie)
    const int g = levels[k];
    for (int d = 1; d < 256; ++d) {
      if (g - d >= 0 && kept[std::size_t(g - d)]) {
        p.gray_index[std::size_t(g)] = p.gray_index[std::size_t(g - d)];
        break;
      }
      if (g + d < 256 && kept[std::size_t(g + d)]) {
        p.gray_index[std::size_t(g)] = p.gray_index[std::size_t(g + d)];
        break;
      }
    }
  }
  p.rgb.insert(p.rgb.end(), p.others.begin(), p.others.end());
  return p;
}

// With `merge_share` > 0, a picture with a few colours too many still gets a palette when merging
// its least-used gray levels into the nearest kept level changes at most that share of its pixels
// (a micrograph scaled down to 256 grays plus two frame colours: one level on a few pixels).
std::optional<Palette> palette_of(const std::uint8_t* rows, int width, int height, std::ptrdiff_t stride_bytes,
                                  double merge_share, GrayRuns& runs) {
  std::array<std::uint64_t, 256> gray_count{};
  std::uint32_t run_count[4][256] = {};  // gray runs, counted in four histograms (no wait on a repeat)
  std::vector<std::uint32_t> others;     // the non-gray colours met, ascending
  std::uint32_t last = 0xFFFFFFFF;  // the last non-gray colour met (frames are runs of one colour)
  runs.runs_per_row = (width + kGrayRun - 1) / kGrayRun;
  runs.is_gray.assign((std::size_t(runs.runs_per_row) * std::size_t(height) + 63) / 64, 0);
  runs.level.reset(new std::uint8_t[std::size_t(width) * std::size_t(height)]);  // not zeroed: 5 MB at 2048 px
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* src = rows + std::ptrdiff_t(y) * stride_bytes;
    std::uint8_t* level = runs.level.get() + std::size_t(y) * std::size_t(width);
    for (int x = 0; x < width; ++x, src += 3) {
      if (x % kGrayRun == 0 && x + kGrayRun < width && sixteen_gray(src)) {
        // The levels are kept as two words, stored as such: 16 byte stores were assembled by the
        // compiler on the stack and read back as one 16-byte load, which waits for them.
        std::uint64_t low = 0, high = 0;
        for (int k = 0; k < kGrayRun; ++k) {
          run_count[k & 3][src[3 * k]]++;
          (k < 8 ? low : high) |= std::uint64_t(src[3 * k]) << (8 * (k & 7));
        }
        std::memcpy(level + x, &low, 8);
        std::memcpy(level + x + 8, &high, 8);
        const std::size_t i = std::size_t(y) * std::size_t(runs.runs_per_row) + std::size_t(x / kGrayRun);
        runs.is_gray[i / 64] |= std::uint64_t(1) << (i % 64);
        x += kGrayRun - 1;
        src += 3 * (kGrayRun - 1);
        continue;
      }
      if (src[0] == src[1] && src[1] == src[2]) {
        ++gray_count[src[0]];
        continue;
      }
      const std::uint32_t c = std::uint32_t(src[2]) << 16 | std::uint32_t(src[1]) << 8 | src[0];
      if (c == last) continue;
      last = c;
      const auto at = std::lower_bound(others.begin(), others.end(), c);
      if (at != others.end() && *at == c) continue;
      if (others.size() == 256) return std::nullopt;
      others.insert(at, c);
    }
    // Without merging, a picture fails as soon as its grays and colours so far pass 256: a map
    // figure (a colour scale, anti-aliased gray text) does so early, and the rest of the scan
    // would be a quarter of its encoding time.
    if (merge_share == 0 && others.size() + gray_levels_seen(gray_count, run_count) > 256) return std::nullopt;
  }
  for (std::size_t g = 0; g < 256; ++g)
    gray_count[g] += std::uint64_t(run_count[0][g]) + run_count[1][g] + run_count[2][g] + run_count[3][g];
  return palette_from_counts(gray_count, std::move(others), merge_share, double(width) * double(height));
}

// Scanlines with filter "Sub" (1) into `out` (height x (1 + width x channels) bytes, each written): a
// filter byte, then each byte's difference to the same channel of the pixel on the left, which a
// smooth micrograph or a flat colour area turns into small numbers. `bgr` rows are stored as RGB:
// each row is first turned into RGB in `rgb`, three zero bytes ahead of it, so that the differences
// are one loop the compiler vectorises.
void sub_filtered(const std::uint8_t* rows, int width, int height, std::ptrdiff_t stride_bytes, bool bgr,
                  std::uint8_t* out) {
  const std::size_t channels = bgr ? 3 : 1, bytes = std::size_t(width) * channels, line = 1 + bytes;
  std::vector<std::uint8_t> rgb(bgr ? 3 + bytes : 0, 0);
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* src = rows + std::ptrdiff_t(y) * stride_bytes;
    std::uint8_t* dst = out + std::size_t(y) * line;
    dst[0] = 1;
    std::uint8_t* px = dst + 1;
    if (!bgr) {
      px[0] = src[0];
      for (std::size_t x = 1; x < bytes; ++x) px[x] = std::uint8_t(src[x] - src[x - 1]);
      continue;
    }
    std::uint8_t* now = rgb.data() + 3;
    for (std::size_t x = 0; x < bytes; x += 3) {
      now[x] = src[x + 2];
      now[x + 1] = src[x + 1];
      now[x + 2] = src[x];
    }
    for (std::size_t x = 0; x < bytes; ++x) px[x] = std::uint8_t(now[x] - now[x - 3]);
  }
}

// Palette indices of a noisy micrograph hold few repeats worth searching for: literals, runs of
// the byte before and copies of the row above (deflate_runs.hpp), or stored blocks where even those
// would gain little (below), compress them as small as
// libdeflate's level 3 (3.85 MB for a 2048 px overlay, zlib's Z_RLE 3.87 MB) in less than half of
// either's time (17 against 35 and 41 ms). The scanlines are cut into kBands bands, compressed independently on up to
// `threads` threads and joined into one zlib stream. The band count is fixed, so the bytes do
// not depend on the thread count.
constexpr int kBands = 4;
// A band whose byte counts promise a Huffman code less than this much smaller than the bytes is
// stored instead: the palette indices of a noisy micrograph (400 counts a pixel) code to 0.92 of
// their size, for 17 ms of a 2048 px overlay's encoding, where storing them costs a copy. Then the
// file is 9 % larger (4.2 against 3.85 MB) and a batch of 2048^2 images about 2 % faster
// (docs/speed.md). A less noisy micrograph, a flat legend strip, a map's colour cells: coded.
constexpr double kStoreBelowSaving = 0.10;
// The byte counts are taken from every kSampleStep-th scanline.
constexpr std::size_t kSampleStep = 8;

// deflate, 32 KiB window, fastest (0x7801 % 31 == 0).
std::vector<std::uint8_t> zlib_header() { return {0x78, 0x01}; }

std::vector<std::uint8_t> big_endian_u32(std::uint32_t v) {
  return {std::uint8_t(v >> 24), std::uint8_t(v >> 16), std::uint8_t(v >> 8), std::uint8_t(v)};
}

// The zlib stream of data[0, bytes) by libdeflate at kDeflateLevel.
std::vector<std::uint8_t> libdeflate_zlib(const std::uint8_t* data, std::size_t bytes) {
  std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> compressor(
      libdeflate_alloc_compressor(kDeflateLevel), &libdeflate_free_compressor);
  if (!compressor) throw std::bad_alloc();
  std::vector<std::uint8_t> zlib(libdeflate_zlib_compress_bound(compressor.get(), bytes));
  const std::size_t size = libdeflate_zlib_compress(compressor.get(), data, bytes, zlib.data(), zlib.size());
  if (size == 0) throw std::runtime_error("encode_png_8bit: deflate failed");
  zlib.resize(size);
  return zlib;
}

// The least share of an RGB figure's bytes that runs and row copies must cover for our encoder to
// be used (PngOptions::repeated_rows). Map figures of 780 x 670 px: 0.90-0.98 (cells of 7 px); the
// gallery's white frames and gray tiles reach 0.80, and libdeflate's matches at any distance code
// such a picture ~1.7x smaller.
constexpr double kRepeatedShare = 0.85;

// a - b in each of the eight bytes, modulo 256 (SWAR: no borrow crosses a byte).
std::uint64_t bytewise_sub(std::uint64_t a, std::uint64_t b) {
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  return ((a | kHigh) - (b & ~kHigh)) ^ ((a ^ ~b) & kHigh);
}

// The zlib stream of `lines` scanlines of `line` bytes, as pieces to be written one after the other:
// the header, the bands' deflate blocks, the Adler-32 of the whole.
std::vector<std::vector<std::uint8_t>> zlib_in_bands(const std::uint8_t* data, std::size_t line, std::size_t lines,
                                                     int threads) {
  std::vector<std::vector<std::uint8_t>> pieces(kBands + 2);
  std::vector<uLong> checks(kBands);
  std::vector<std::size_t> sizes(kBands);
  parallel_for(kBands, threads, [&](long b, int) {
    const std::size_t first = lines * std::size_t(b) / kBands * line, end = lines * std::size_t(b + 1) / kBands * line;
    sizes[std::size_t(b)] = end - first;
    checks[std::size_t(b)] = libdeflate_adler32(1, data + first, end - first);  // SIMD; zlib's is not
    const bool store = literal_saving(data + first, end - first, line, kSampleStep) < kStoreBelowSaving;
    pieces[std::size_t(b) + 1] = store ? deflate_stored(data + first, end - first, b == kBands - 1)
                                       : deflate_runs(data + first, end - first, b == kBands - 1, line);
  });
  pieces.front() = zlib_header();
  uLong check = adler32(0, nullptr, 0);
  for (int b = 0; b < kBands; ++b)
    check = adler32_combine(check, checks[std::size_t(b)], z_off_t(sizes[std::size_t(b)]));
  pieces.back() = big_endian_u32(std::uint32_t(check));
  return pieces;
}

// The palette indices of a BGR picture as Sub-filtered scanlines (filter byte 1, then each index
// less the one on its left) into `out` (height x (width + 1) bytes), in one pass: the gray runs
// palette_of found are looked up from their levels, 16 pixels at a time, the other pixels from
// their BGR bytes. The bytes are those of sub_filtered() of the index picture.
void sub_filtered_indices(const std::uint8_t* rows, int width, int height, std::ptrdiff_t stride_bytes,
                          const Palette& palette, const GrayRuns& runs, std::uint8_t* out) {
  const std::size_t line = std::size_t(width) + 1;
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* src = rows + std::ptrdiff_t(y) * stride_bytes;
    const std::uint8_t* level = runs.level.get() + std::size_t(y) * std::size_t(width);
    std::uint8_t* dst = out + std::size_t(y) * line;
    *dst++ = 1;
    std::uint8_t prev = 0;
    int x = 0;
    while (x < width) {
      if (x % kGrayRun == 0 && x + kGrayRun < width && runs.gray(y, x / kGrayRun)) {
        std::uint64_t low = 0, high = 0;  // two words, as in palette_of
        for (int k = 0; k < 8; ++k) {
          low |= std::uint64_t(palette.gray_index[level[x + k]]) << (8 * k);
          high |= std::uint64_t(palette.gray_index[level[x + 8 + k]]) << (8 * k);
        }
        // Each index less the one before it, byte by byte (no carries between bytes).
        const std::uint64_t low_before = low << 8 | prev, high_before = high << 8 | (low >> 56);
        const std::uint64_t low_diff = bytewise_sub(low, low_before), high_diff = bytewise_sub(high, high_before);
        std::memcpy(dst + x, &low_diff, 8);
        std::memcpy(dst + x + 8, &high_diff, 8);
        prev = std::uint8_t(high >> 56);
        x += kGrayRun;
        continue;
      }
      const std::uint8_t index = palette.index_of(src + 3 * x);
      dst[x] = std::uint8_t(index - prev);
      prev = index;
      ++x;
    }
  }
}

// The PNG file of a `width` x `height` picture of colour `type` (0 gray, 2 RGB, 3 indexed, then
// `palette` holds its colours, packed 0xRRGGBB) whose zlib stream is `pieces`, one after the other.
std::vector<std::uint8_t> png_file(int width, int height, std::uint8_t type, const std::vector<std::uint32_t>* palette,
                                   const std::vector<std::vector<std::uint8_t>>& pieces) {
  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::size_t zlib_bytes = 0;
  for (const auto& piece : pieces) zlib_bytes += piece.size();
  // The whole file, exactly: a chunk is 12 bytes besides its data. One byte short, the IEND chunk
  // made the vector reallocate, holding the file twice (7.7 MB for a 2048 px overlay).
  constexpr std::size_t kChunk = 12, kHeaderData = 13;
  png.reserve(png.size() + kChunk + kHeaderData + (palette ? kChunk + 3 * palette->size() : 0) + kChunk + zlib_bytes +
              kChunk);
  std::vector<std::uint8_t> ihdr;
  put_u32(ihdr, std::uint32_t(width));
  put_u32(ihdr, std::uint32_t(height));
  ihdr.insert(ihdr.end(), {8, type, 0, 0, 0});  // depth, type, deflate, filter set 0, no interlace
  put_chunk(png, "IHDR", ihdr.data(), ihdr.size());
  if (palette) {
    std::vector<std::uint8_t> plte;
    for (std::uint32_t c : *palette)
      plte.insert(plte.end(), {std::uint8_t(c >> 16), std::uint8_t(c >> 8), std::uint8_t(c)});
    put_chunk(png, "PLTE", plte.data(), plte.size());
  }
  // The pieces go into the chunk as they are: the zlib stream is never joined in a buffer of its own.
  std::vector<Bytes> parts;
  for (const auto& piece : pieces) parts.push_back({piece.data(), piece.size()});
  put_chunk(png, "IDAT", parts);
  put_chunk(png, "IEND", nullptr, 0);
  return png;
}

}  // namespace

std::vector<std::uint8_t> encode_png_8bit(const std::uint8_t* rows, int width, int height,
                                          std::ptrdiff_t stride_bytes, PngColour colour, const PngOptions& options) {
  if (width <= 0 || height <= 0) throw std::invalid_argument("encode_png_8bit: empty image");
  if (!(options.merge_gray_share >= 0 && options.merge_gray_share < 1))
    throw std::invalid_argument("encode_png_8bit: merge share");
  std::optional<Palette> palette;
  GrayRuns runs;
  if (colour == PngColour::bgr) palette = palette_of(rows, width, height, stride_bytes, options.merge_gray_share, runs);
  std::vector<std::vector<std::uint8_t>> pieces;  // of the zlib stream, written one after the other
  if (palette) {
    const std::size_t line = std::size_t(width) + 1;
    std::unique_ptr<std::uint8_t[]> filtered(new std::uint8_t[line * std::size_t(height)]);  // every byte written below
    sub_filtered_indices(rows, width, height, stride_bytes, *palette, runs, filtered.get());
    runs = GrayRuns{};  // the levels are no longer needed: freed before the compression
    pieces = zlib_in_bands(filtered.get(), line, std::size_t(height), options.threads);
  } else {
    const std::size_t line = 1 + std::size_t(width) * (colour == PngColour::bgr ? 3 : 1);
    const std::size_t size = line * std::size_t(height);
    std::unique_ptr<std::uint8_t[]> filtered(new std::uint8_t[size]);  // every byte written below
    sub_filtered(rows, width, height, stride_bytes, colour == PngColour::bgr, filtered.get());
    std::optional<std::vector<std::uint8_t>> stream;
    if (options.repeated_rows) stream = deflate_repeated_rows(filtered.get(), size, line, kRepeatedShare);
    if (stream) {
      pieces.push_back(zlib_header());
      pieces.push_back(std::move(*stream));
      pieces.push_back(big_endian_u32(std::uint32_t(libdeflate_adler32(1, filtered.get(), size))));
    } else {
      pieces.push_back(libdeflate_zlib(filtered.get(), size));
    }
  }

  return png_file(width, height,
                  palette                     ? 3
                  : colour == PngColour::gray ? 0
                                              : 2,
                  palette ? &palette->rgb : nullptr, pieces);
}

namespace {

void check_painted(const PaintedGray& p) {
  if (p.width <= 0 || p.height <= 0) throw std::invalid_argument("encode_png_painted: empty image");
  if (!p.gray || !p.paint || p.stride_bytes < p.width) throw std::invalid_argument("encode_png_painted: planes");
  if (p.colours.size() > 255) throw std::invalid_argument("encode_png_painted: more than 255 paint colours");
}

std::uint32_t paint_colour(const PaintedGray& p, std::uint8_t k) {
  if (k > p.colours.size()) throw std::invalid_argument("encode_png_painted: a paint byte without a colour");
  return p.colours[k - 1u];
}

bool is_gray(std::uint32_t rgb) { return (rgb >> 16) == (rgb & 0xFF) && ((rgb >> 8) & 0xFF) == (rgb & 0xFF); }

}  // namespace

std::vector<std::uint8_t> painted_to_bgr(const PaintedGray& p) {
  check_painted(p);
  std::vector<std::uint8_t> bgr(std::size_t(p.width) * std::size_t(p.height) * 3);
  std::uint8_t* out = bgr.data();
  for (int y = 0; y < p.height; ++y) {
    const std::uint8_t* gray = p.gray + std::ptrdiff_t(y) * p.stride_bytes;
    const std::uint8_t* paint = p.paint + std::ptrdiff_t(y) * p.stride_bytes;
    for (int x = 0; x < p.width; ++x, out += 3) {
      if (!paint[x]) {
        out[0] = out[1] = out[2] = gray[x];
        continue;
      }
      const std::uint32_t c = paint_colour(p, paint[x]);
      out[0] = std::uint8_t(c);
      out[1] = std::uint8_t(c >> 8);
      out[2] = std::uint8_t(c >> 16);
    }
  }
  return bgr;
}

std::vector<std::uint8_t> encode_png_painted(const PaintedGray& p, const PngOptions& options) {
  check_painted(p);
  if (!(options.merge_gray_share >= 0 && options.merge_gray_share < 1))
    throw std::invalid_argument("encode_png_painted: merge share");
  // The gray levels where no paint is, in four histograms (no wait on a repeated level), eight
  // pixels at a time where the paint is all 0 (most of an overlay); the paint bytes' pixels apart.
  std::uint64_t counts[4][256] = {};
  std::array<std::uint64_t, 256> painted{};
  for (int y = 0; y < p.height; ++y) {
    const std::uint8_t* gray = p.gray + std::ptrdiff_t(y) * p.stride_bytes;
    const std::uint8_t* paint = p.paint + std::ptrdiff_t(y) * p.stride_bytes;
    int x = 0;
    for (; x + 8 <= p.width; x += 8) {
      std::uint64_t word;
      std::memcpy(&word, paint + x, 8);
      if (word == 0) {
        for (int k = 0; k < 8; ++k) ++counts[k & 3][gray[x + k]];
        continue;
      }
      for (int k = 0; k < 8; ++k) paint[x + k] ? ++painted[paint[x + k]] : ++counts[k & 3][gray[x + k]];
    }
    for (; x < p.width; ++x) paint[x] ? ++painted[paint[x]] : ++counts[0][gray[x]];
  }
  // A paint colour that is gray is one more pixel of that level, as in the BGR form.
  std::array<std::uint64_t, 256> gray_count{};
  for (std::size_t g = 0; g < 256; ++g) gray_count[g] = counts[0][g] + counts[1][g] + counts[2][g] + counts[3][g];
  std::vector<std::uint32_t> others;
  for (int k = 1; k < 256; ++k)
    if (painted[std::size_t(k)]) {
      const std::uint32_t c = paint_colour(p, std::uint8_t(k));
      if (is_gray(c))
        gray_count[c & 0xFF] += painted[std::size_t(k)];
      else
        others.push_back(c);
    }
  std::sort(others.begin(), others.end());
  others.erase(std::unique(others.begin(), others.end()), others.end());
  const std::optional<Palette> palette =
      palette_from_counts(gray_count, std::move(others), options.merge_gray_share, double(p.width) * double(p.height));
  if (!palette) {  // RGB: encode_png_8bit finds the same, and makes the RGB file
    const std::vector<std::uint8_t> bgr = painted_to_bgr(p);
    return encode_png_8bit(bgr.data(), p.width, p.height, std::ptrdiff_t(p.width) * 3, PngColour::bgr, options);
  }
  std::array<std::uint8_t, 256> paint_index{};
  for (int k = 1; k < 256; ++k)
    if (painted[std::size_t(k)]) {
      const std::uint32_t c = p.colours[std::size_t(k) - 1];
      const std::uint8_t bgr[3] = {std::uint8_t(c), std::uint8_t(c >> 8), std::uint8_t(c >> 16)};
      paint_index[std::size_t(k)] = palette->index_of(bgr);
    }
  // Sub-filtered indices, as sub_filtered() makes of the index picture.
  const std::size_t line = std::size_t(p.width) + 1;
  std::unique_ptr<std::uint8_t[]> filtered(new std::uint8_t[line * std::size_t(p.height)]);  // every byte written
  for (int y = 0; y < p.height; ++y) {
    const std::uint8_t* gray = p.gray + std::ptrdiff_t(y) * p.stride_bytes;
    const std::uint8_t* paint = p.paint + std::ptrdiff_t(y) * p.stride_bytes;
    std::uint8_t* dst = filtered.get() + std::size_t(y) * line;
    *dst++ = 1;
    std::uint8_t prev = 0;
    for (int x = 0; x < p.width; ++x) {
      const std::uint8_t index = paint[x] ? paint_index[paint[x]] : palette->gray_index[gray[x]];
      dst[x] = std::uint8_t(index - prev);
      prev = index;
    }
  }
  return png_file(p.width, p.height, 3, &palette->rgb,
                  zlib_in_bands(filtered.get(), line, std::size_t(p.height), options.threads));
}

}  // namespace mgscope
