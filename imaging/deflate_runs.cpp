#include "imaging/deflate_runs.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <optional>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mgscope {

namespace {

constexpr int kEndOfBlock = 256;
constexpr int kLitLenSymbols = 286;  // 0-255 literals, 256 end of block, 257-285 lengths
constexpr int kMaxCodeBits = 15;     // litlen and distance codes
constexpr int kMaxCodeLengthBits = 7;  // the code of the code lengths
constexpr int kMinRun = 3, kMaxRun = 258;
constexpr std::size_t kMaxDistance = 32768;
constexpr int kLongMatch = 32;
// Input bytes per block: a block's code adapts to its part of the picture (the white legend strip
// below an overlay codes in far fewer bits than the micrograph above it).
constexpr std::size_t kBlockBytes = std::size_t(1) << 18;

// Length symbols 257..285: base length and extra bits (RFC 1951, 3.2.5).
struct LengthCode {
  std::uint16_t symbol, extra_bits, base;
};

std::array<LengthCode, kMaxRun + 1> make_length_codes() {
  static constexpr int kBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
  static constexpr int kExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                     2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
  std::array<LengthCode, kMaxRun + 1> t{};
  for (int k = 0; k < 29; ++k) {
    const int end = k == 28 ? 259 : kBase[k + 1];
    for (int len = kBase[k]; len < end; ++len)
      t[std::size_t(len)] = {std::uint16_t(257 + k), std::uint16_t(kExtra[k]), std::uint16_t(kBase[k])};
  }
  return t;
}

const std::array<LengthCode, kMaxRun + 1>& length_codes() {
  static const std::array<LengthCode, kMaxRun + 1> t = make_length_codes();
  return t;
}

// Bits out, least significant first (RFC 1951, 3.1.1), through a 64-bit buffer into `out`, sized
// by the caller (grown here only when that would not do). A value type: the literal loop works on a
// local copy, so that its buffer stays in registers (a byte stored through `out` may alias any
// member of an object the compiler cannot see whole, but not a local whose address is not taken).
class BitWriter {
 public:
  explicit BitWriter(std::vector<std::uint8_t>& out) : out_(&out), data_(out.data()) {}
  // Room for `bytes` more bytes past what is written: put() does not check.
  void reserve(std::size_t bytes) {
    if (size_ + bytes + 8 > out_->size()) {
      out_->resize(std::max<std::size_t>(2 * out_->size(), size_ + bytes + 8));
      data_ = out_->data();
    }
  }
  void put(std::uint32_t bits, int count) {  // count <= 32, within the room reserved
    buffer_ |= std::uint64_t(bits) << filled_;
    filled_ += count;
    if (filled_ >= 32) {
      // Eight bytes stored, four kept: the high four are rewritten by the next store.
      const std::uint64_t little = to_little_endian(buffer_);
      std::memcpy(data_ + size_, &little, 8);
      size_ += 4;
      buffer_ >>= 32;
      filled_ -= 32;
    }
  }
  // Writes out the whole bytes held, so that at most 7 bits are: put_wide() may follow.
  void flush_bytes() {
    store_and_advance();
  }
  // Up to 56 bits at once after flush_bytes() or put_wide(), within the room reserved: the held bits
  // and the new ones fit the 64-bit buffer, which is stored whole every time, without a branch (the
  // literals of a noisy picture, three to a call: a third of the stores and no unpredictable flush).
  void put_wide(std::uint64_t bits, int count) {
    buffer_ |= bits << filled_;
    filled_ += count;
    store_and_advance();
  }
  // Pads with zero bits to a whole byte, writes out what is held and trims `out` to what was written.
  void finish_bytes() {
    reserve(8);
    put(0, (8 - filled_ % 8) % 8);
    out_->resize(size_);
    for (; filled_ > 0; filled_ -= 8) {
      out_->push_back(std::uint8_t(buffer_));
      buffer_ >>= 8;
    }
    buffer_ = 0;
    filled_ = 0;
    size_ = out_->size();
    data_ = out_->data();
  }

 private:
  // Stores the buffer's eight bytes and moves past its whole ones, keeping the last filled_ % 8 bits.
  void store_and_advance() {
    const std::uint64_t little = to_little_endian(buffer_);
    std::memcpy(data_ + size_, &little, 8);
    const int whole = filled_ & ~7;
    size_ += std::size_t(whole / 8);
    buffer_ = whole == 64 ? 0 : buffer_ >> whole;
    filled_ -= whole;
  }
  static std::uint64_t to_little_endian(std::uint64_t v) {
    std::uint64_t out = 0;
    for (int k = 0; k < 8; ++k) reinterpret_cast<unsigned char*>(&out)[k] = std::uint8_t(v >> (8 * k));
    return out;  // the identity on a little-endian machine, which the compiler sees
  }
  std::vector<std::uint8_t>* out_;
  std::uint8_t* data_;
  std::size_t size_ = 0;
  std::uint64_t buffer_ = 0;
  int filled_ = 0;
};

// Huffman code lengths for the frequencies, none longer than `max_bits`. Symbols of frequency 0
// get length 0. When the tree is too deep, the frequencies are halved (keeping every used symbol
// at 1 or more) and the tree is built again: rare, and at most a few rounds, since halving flattens
// the distribution. Ties are broken by symbol order, so the lengths depend on the counts alone.
std::vector<std::uint8_t> code_lengths(std::vector<std::uint64_t> freq, int max_bits) {
  const std::size_t n = freq.size();
  std::vector<std::uint8_t> lengths(n, 0);
  std::vector<std::size_t> used;
  for (std::size_t s = 0; s < n; ++s)
    if (freq[s]) used.push_back(s);
  if (used.empty()) return lengths;
  if (used.size() == 1) {  // a one-symbol code still needs one bit
    lengths[used[0]] = 1;
    return lengths;
  }
  std::vector<std::int32_t> parent(2 * n, -1);
  std::vector<std::pair<std::uint64_t, std::size_t>> leaves, inner;  // (weight, node)
  for (;;) {
    // Huffman's tree by two queues: the leaves sorted by (weight, symbol), and the internal nodes
    // in the order they are made, which is also by (weight, node) since each weighs at least the
    // one made before it. Taking the smaller head by (weight, node) each time joins exactly the pairs
    // a priority queue ordered by (weight, node) would; leaves are nodes 0..n-1, internal ones after.
    leaves.clear();
    for (std::size_t s : used) leaves.push_back({freq[s], s});
    std::sort(leaves.begin(), leaves.end());
    inner.clear();
    std::size_t li = 0, ii = 0, next = n;
    auto take = [&]() {
      if (ii < inner.size() && (li == leaves.size() || inner[ii] < leaves[li])) return inner[ii++];
      return leaves[li++];
    };
    while ((leaves.size() - li) + (inner.size() - ii) > 1) {
      const auto a = take();
      const auto b = take();
      parent[a.second] = std::int32_t(next);
      parent[b.second] = std::int32_t(next);
      inner.push_back({a.first + b.first, next++});
    }
    // Depths from the root down: internal nodes are made after their children, so in decreasing
    // node order each node's parent's depth is known before its own.
    const std::size_t root = next - 1;
    std::vector<std::uint8_t> depth_of(next, 0);
    int deepest = 0;
    for (std::size_t node = root; node-- > 0;) {
      if (parent[node] < 0) continue;  // an unused leaf
      depth_of[node] = std::uint8_t(std::min(255, depth_of[std::size_t(parent[node])] + 1));
    }
    for (std::size_t s : used) {
      lengths[s] = depth_of[s];
      deepest = std::max<int>(deepest, depth_of[s]);
    }
    if (deepest <= max_bits) return lengths;
    for (std::size_t s : used) freq[s] = std::max<std::uint64_t>(1, freq[s] / 2);
    std::fill(parent.begin(), parent.end(), -1);
  }
}

// Canonical codes for the lengths (RFC 1951, 3.2.2), bit-reversed for least-significant-first output.
std::vector<std::uint16_t> canonical_codes(const std::vector<std::uint8_t>& lengths) {
  int count[kMaxCodeBits + 1] = {0};
  for (std::uint8_t l : lengths) count[l]++;
  count[0] = 0;
  int next[kMaxCodeBits + 2] = {0};
  for (int bits = 1, code = 0; bits <= kMaxCodeBits; ++bits) {
    code = (code + count[bits - 1]) << 1;
    next[bits] = code;
  }
  std::vector<std::uint16_t> codes(lengths.size(), 0);
  for (std::size_t s = 0; s < lengths.size(); ++s) {
    const int len = lengths[s];
    if (!len) continue;
    const int code = next[len]++;
    int reversed = 0;
    for (int b = 0; b < len; ++b) reversed |= ((code >> b) & 1) << (len - 1 - b);
    codes[s] = std::uint16_t(reversed);
  }
  return codes;
}

// A run of the byte before (distance 1), or with `from_row_above` a copy of the bytes one row before.
struct Run {
  std::size_t at;  // first byte of the run
  std::uint16_t length;
  bool from_row_above = false;
};

// Distance codes 0-29: base distance and extra bits (RFC 1951, 3.2.5).
struct DistanceCode {
  int code = 0, extra_bits = 0, base = 1;
};

DistanceCode distance_code(std::size_t distance) {
  static constexpr int kBase[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                    33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                    1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
  DistanceCode d;
  for (int c = 0; c < 30 && std::size_t(kBase[c]) <= distance; ++c) d = {c, c < 4 ? 0 : c / 2 - 1, kBase[c]};
  return d;
}

// How many of the bytes from data[i] on (at most `most`) equal those `distance` bytes before them.
std::size_t match_length(const std::uint8_t* data, std::size_t i, std::size_t distance, std::size_t most) {
  std::size_t k = 0;
#if defined(__SSE2__)
  for (; k + 16 <= most; k += 16) {
    const __m128i now = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + k));
    const __m128i then = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + k - distance));
    const unsigned differ = ~unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(now, then))) & 0xFFFFu;
    if (differ) return k + unsigned(__builtin_ctz(differ));
  }
#endif
  while (k < most && data[i + k] == data[i + k - distance]) ++k;
  return k;
}

// Runs of the byte before: at i >= 1, the bytes equal to data[i - 1] from i on, when there are
// kMinRun (3) or more (at most 258 each; a longer stretch is several runs); with `row` > 0 also
// copies of the row above (distance `row`), the longer of the two at each place, the run on a tie
// (its distance costs no extra bits). A figure's repeated rows (a map's cells, white margins) are
// then a few copies each instead of a row of literals and runs.
std::vector<Run> runs_of(const std::uint8_t* data, std::size_t size, std::size_t row) {
  std::vector<Run> runs;
  std::size_t i = 1;
  while (i + 2 < size) {
#if defined(__SSE2__)
    // 16 bytes at a time: bit j of `same` says data[i + j] == data[i + j - 1] (of `above`, the same
    // for the byte a row before); a match can start at i + j only where bits j, j + 1 and j + 2 are
    // all set. Where no j < 14 qualifies, the 14 positions are passed at once (noisy pictures hold
    // few runs); else the bytes are looked at from the first candidate on, as below.
    if (i + 16 <= size) {
      const __m128i now = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
      const unsigned same = unsigned(
          _mm_movemask_epi8(_mm_cmpeq_epi8(now, _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i - 1)))));
      unsigned starts = same & (same >> 1) & (same >> 2);
      if (row && i >= row) {
        const unsigned above = unsigned(_mm_movemask_epi8(
            _mm_cmpeq_epi8(now, _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i - row)))));
        starts |= above & (above >> 1) & (above >> 2);
      }
      starts &= 0x3FFFu;
      if (!starts) {
        i += 14;
        continue;
      }
      i += unsigned(__builtin_ctz(starts));
    }
#endif
    const std::size_t most = std::min<std::size_t>(kMaxRun, size - i);
    const std::size_t run = match_length(data, i, 1, most);
    const std::size_t copy = row && i >= row ? match_length(data, i, row, most) : 0;
    const std::size_t length = std::max(run, copy);
    if (length < kMinRun) {
      ++i;
      continue;
    }
    runs.push_back({i, std::uint16_t(length), copy > run});
    i += length;
  }
  return runs;
}

// The literal counts of data[from, to) added into `part`, in four histograms (consecutive equal
// bytes would otherwise wait on each other's increment).
void count_bytes(const std::uint8_t* data, std::size_t from, std::size_t to, std::uint32_t (&part)[4][256]) {
  std::size_t pos = from;
  for (; pos + 4 <= to; pos += 4) {
    part[0][data[pos]]++;
    part[1][data[pos + 1]]++;
    part[2][data[pos + 2]]++;
    part[3][data[pos + 3]]++;
  }
  for (; pos < to; ++pos) part[0][data[pos]]++;
}

// One block with a dynamic Huffman code (RFC 1951, 3.2.7) for data[first, end): literals, and the
// runs given. Distances are 1 (code 0) and, for copies of the row above, `row` (its code, with extra
// bits): two distance codes of one bit each are declared (codes 0 and 1 without copies), a complete
// code that every inflater accepts.
void write_block(BitWriter& out, const std::uint8_t* data, std::size_t first, std::size_t end, const Run* runs,
                 std::size_t run_count, std::size_t row, bool final_block) {
  const auto& lengths_table = length_codes();
  // Literal counts: the bytes between the runs.
  std::uint32_t part[4][256] = {};
  std::size_t pos = first;
  for (std::size_t r = 0; r < run_count; ++r) {
    count_bytes(data, pos, runs[r].at, part);
    pos = runs[r].at + runs[r].length;
  }
  count_bytes(data, pos, end, part);
  std::vector<std::uint64_t> freq(kLitLenSymbols, 0);
  for (std::size_t b = 0; b < 256; ++b) freq[b] = std::uint64_t(part[0][b]) + part[1][b] + part[2][b] + part[3][b];
  for (std::size_t r = 0; r < run_count; ++r) freq[lengths_table[runs[r].length].symbol]++;
  freq[kEndOfBlock] = 1;
  if (end == first) freq[0] = 1;  // two symbols at least: a code of one symbol is incomplete
  const std::vector<std::uint8_t> lit_len = code_lengths(freq, kMaxCodeBits);
  const std::vector<std::uint16_t> lit_code = canonical_codes(lit_len);
  int hlit = kLitLenSymbols;
  while (hlit > 257 && lit_len[std::size_t(hlit - 1)] == 0) --hlit;
  // Code 0 is coded 0 and the row's code 1 (canonical codes follow the symbol order).
  const DistanceCode far = distance_code(row > 1 ? row : 2);
  std::vector<std::uint8_t> distance_lengths(std::size_t(far.code) + 1, 0);
  distance_lengths.front() = distance_lengths.back() = 1;
  const int distance_codes = int(distance_lengths.size());

  // The code lengths of both codes, run-length coded with symbols 16 (repeat the previous 3-6
  // times), 17 (3-10 zeros) and 18 (11-138 zeros).
  std::vector<std::uint8_t> all(lit_len.begin(), lit_len.begin() + hlit);
  all.insert(all.end(), distance_lengths.begin(), distance_lengths.end());
  struct Op {
    std::uint8_t symbol, extra;
  };
  std::vector<Op> ops;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t run = 1;
    while (i + run < all.size() && all[i + run] == all[i]) ++run;
    std::size_t left = run;
    if (all[i] == 0) {
      while (left >= 11) {
        const std::size_t take = std::min<std::size_t>(left, 138);
        ops.push_back({18, std::uint8_t(take - 11)});
        left -= take;
      }
      if (left >= 3) {
        ops.push_back({17, std::uint8_t(left - 3)});
        left = 0;
      }
    } else {
      ops.push_back({all[i], 0});
      --left;
      while (left >= 3) {
        const std::size_t take = std::min<std::size_t>(left, 6);
        ops.push_back({16, std::uint8_t(take - 3)});
        left -= take;
      }
    }
    for (; left > 0; --left) ops.push_back({all[i], 0});
    i += run;
  }
  std::vector<std::uint64_t> cl_freq(19, 0);
  for (const Op& op : ops) cl_freq[op.symbol]++;
  const std::vector<std::uint8_t> cl_len = code_lengths(cl_freq, kMaxCodeLengthBits);
  const std::vector<std::uint16_t> cl_code = canonical_codes(cl_len);
  static constexpr int kOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
  int hclen = 19;
  while (hclen > 4 && cl_len[std::size_t(kOrder[hclen - 1])] == 0) --hclen;

  // The block's size is known from the code: every symbol's count times its length, a run's extra
  // bits and distance bit, and the code tables (under 600 bytes). Reserving just that keeps the
  // caller's buffer (input + 1/8) from being doubled for a block near its end.
  std::uint64_t block_bits = 8 * 600;
  for (std::size_t sym = 0; sym < freq.size(); ++sym) block_bits += freq[sym] * lit_len[sym];
  block_bits += std::uint64_t(6 + far.extra_bits) * std::uint64_t(run_count);
  out.reserve(std::size_t(block_bits / 8) + 8);
  out.put(final_block ? 1u : 0u, 1);
  out.put(2, 2);  // dynamic Huffman codes
  out.put(std::uint32_t(hlit - 257), 5);
  out.put(std::uint32_t(distance_codes - 1), 5);
  out.put(std::uint32_t(hclen - 4), 4);
  for (int k = 0; k < hclen; ++k) out.put(cl_len[std::size_t(kOrder[k])], 3);
  for (const Op& op : ops) {
    out.put(cl_code[op.symbol], cl_len[op.symbol]);
    if (op.symbol == 16) out.put(op.extra, 2);
    if (op.symbol == 17) out.put(op.extra, 3);
    if (op.symbol == 18) out.put(op.extra, 7);
  }
  // The literals between runs, then each run: its length code, extra bits and distance code 0
  // (one bit, 0). A literal's code and length are one table entry; two literals (at most 30 bits)
  // go out in one put.
  std::uint32_t literal[256];
  for (std::size_t b = 0; b < 256; ++b) literal[b] = std::uint32_t(lit_code[b]) | std::uint32_t(lit_len[b]) << 16;
  std::size_t at = first;
  BitWriter bits = out;  // in registers for the loop; handed back below
  for (std::size_t r = 0; r <= run_count; ++r) {
    const std::size_t stop = r < run_count ? runs[r].at : end;
    // The literals before the run, three (at most 45 bits) to a store, the last one or two alone; the
    // buffer then holds at most 7 bits, under the 32 that put() expects.
    if (at < stop) bits.flush_bytes();
    for (; at + 3 <= stop; at += 3) {
      const std::uint32_t a = literal[data[at]], b = literal[data[at + 1]], c = literal[data[at + 2]];
      const int a_bits = int(a >> 16), ab_bits = a_bits + int(b >> 16);
      bits.put_wide(std::uint64_t(a & 0xFFFFu) | std::uint64_t(b & 0xFFFFu) << a_bits |
                        std::uint64_t(c & 0xFFFFu) << ab_bits,
                    ab_bits + int(c >> 16));
    }
    for (; at < stop; ++at) bits.put_wide(literal[data[at]] & 0xFFFFu, int(literal[data[at]] >> 16));
    if (r == run_count) break;
    const std::uint16_t length = runs[r].length;
    const LengthCode& lc = lengths_table[length];
    bits.put(lit_code[lc.symbol], lit_len[lc.symbol]);
    if (lc.extra_bits) bits.put(std::uint32_t(length - lc.base), lc.extra_bits);
    if (runs[r].from_row_above) {
      bits.put(1, 1);
      if (far.extra_bits) bits.put(std::uint32_t(row - std::size_t(far.base)), far.extra_bits);
    } else {
      bits.put(0, 1);
    }
    at += length;
  }
  bits.put(lit_code[kEndOfBlock], lit_len[kEndOfBlock]);
  out = bits;
}

// The blocks of data[0, size) with the runs (and copies, `row` > 0) found in it.
std::vector<std::uint8_t> deflate_found(const std::uint8_t* data, std::size_t size, bool last, std::size_t row,
                                        const std::vector<Run>& runs) {
  // Sized for the bytes left as literals at up to 9 bits each (each block reserves what it needs,
  // doubling the buffer when short): sized for the whole input, the buffer of a picture of
  // repeated rows, whose stream is a thirtieth of it, was mostly zero-filled for nothing.
  std::size_t literals = size;
  for (const Run& r : runs) literals -= r.length;
  std::vector<std::uint8_t> out(literals + literals / 8 + 8 * runs.size() + 1024);
  BitWriter bits(out);
  // Blocks of about kBlockBytes (a block ends after the last run starting in it), at least one, so
  // that an empty final piece still ends the stream.
  std::size_t first = 0, r = 0;
  do {
    std::size_t end = std::min(size, first + kBlockBytes);
    const std::size_t r0 = r;
    while (r < runs.size() && runs[r].at < end) ++r;
    if (r > r0) end = std::max(end, runs[r - 1].at + runs[r - 1].length);
    write_block(bits, data, first, end, runs.data() + r0, r - r0, row, last && end == size);
    first = end;
  } while (first < size);
  bits.reserve(8);
  if (!last) bits.put(0, 3);  // an empty stored block: 3 header bits, zeros to the byte, LEN 0, NLEN 0xFFFF
  bits.finish_bytes();
  if (!last) out.insert(out.end(), {0x00, 0x00, 0xFF, 0xFF});
  return out;
}

std::size_t usable_row(std::size_t row_bytes) { return row_bytes >= 2 && row_bytes <= kMaxDistance ? row_bytes : 0; }

}  // namespace

std::vector<std::uint8_t> deflate_runs(const std::uint8_t* data, std::size_t size, bool last, std::size_t row_bytes) {
  const std::size_t row = usable_row(row_bytes);
  return deflate_found(data, size, last, row, runs_of(data, size, row));
}

std::optional<std::vector<std::uint8_t>> deflate_repeated_rows(const std::uint8_t* data, std::size_t size,
                                                               std::size_t row_bytes, double min_share) {
  const std::size_t row = usable_row(row_bytes);
  const std::vector<Run> runs = runs_of(data, size, row);
  std::size_t covered = 0;
  for (const Run& r : runs) covered += r.length >= kLongMatch ? r.length : 0;
  if (double(covered) < min_share * double(size)) return std::nullopt;
  return deflate_found(data, size, true, row, runs);
}

std::vector<std::uint8_t> deflate_stored(const std::uint8_t* data, std::size_t size, bool last) {
  constexpr std::size_t kStoredMax = 65535;
  std::vector<std::uint8_t> out;
  out.reserve(size + 5 * (size / kStoredMax + 1));
  std::size_t at = 0;
  do {
    const std::size_t n = std::min(kStoredMax, size - at);
    const bool final_block = last && at + n == size;
    // BFINAL in bit 0, BTYPE 00 (stored) in bits 1-2, then padding to the byte's end; LEN and its
    // one's complement, little-endian (RFC 1951, 3.2.4).
    out.insert(out.end(), {std::uint8_t(final_block ? 1 : 0), std::uint8_t(n), std::uint8_t(n >> 8), std::uint8_t(~n),
                           std::uint8_t(~n >> 8)});
    out.insert(out.end(), data + at, data + at + n);
    at += n;
  } while (at < size);
  return out;
}

double literal_saving(const std::uint8_t* data, std::size_t size, std::size_t stretch, std::size_t step) {
  if (size == 0 || stretch == 0) return 0;
  std::uint32_t counts[4][256] = {};
  std::size_t sampled = 0;
  for (std::size_t from = 0; from < size; from += stretch * std::max<std::size_t>(1, step)) {
    const std::size_t to = std::min(size, from + stretch);
    count_bytes(data, from, to, counts);
    sampled += to - from;
  }
  double bits = 0;
  for (int b = 0; b < 256; ++b) {
    const double c = double(counts[0][b]) + counts[1][b] + counts[2][b] + counts[3][b];
    if (c > 0) bits -= c * std::log2(c / double(sampled));
  }
  return 1.0 - bits / (8.0 * double(sampled));
}

}  // namespace mgscope
