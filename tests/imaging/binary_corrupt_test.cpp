// Corrupted-file corpus for the DM, SER, EMI and MRC readers, generated from the synthetic files
// and the real ones: truncations, flipped bytes, huge declared sizes, out-of-file offsets, tag
// trees nested 10000 deep. Each must read fine or throw InputError naming the file; none may
// crash or make an allocation larger than the file justifies (tracked by operator new below).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>

#include "imaging/io/dm_reader.hpp"
#include "imaging/io/emi_metadata.hpp"
#include "imaging/io/mrc_reader.hpp"
#include "imaging/io/ser_reader.hpp"
#include "tests/imaging/binary_test_files.hpp"
#include "tests/test_support.hpp"

// The largest single allocation made while a reader runs. Replacing the global operator new
// is the one way to see allocations made inside the library and the standard containers. Every
// unaligned form is replaced, all on malloc and free: since the imaging tests share this
// executable (session 58), std::stable_sort's buffer (nothrow new) was the sanitizer's allocation
// freed by our delete, and AddressSanitizer stopped the PNG, overlay and analysis tests on it.
namespace {
std::atomic<bool> g_tracking{false};
std::atomic<std::size_t> g_largest{0};

void* tracked_malloc(std::size_t n) noexcept {
  if (g_tracking.load(std::memory_order_relaxed) && n > g_largest.load(std::memory_order_relaxed))
    g_largest.store(n, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
}  // namespace

void* operator new(std::size_t n) {
  if (void* p = tracked_malloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = tracked_malloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return tracked_malloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return tracked_malloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace mgscope {
namespace {

using test::Bytes;
using Reader = std::function<void(const ByteReader&)>;

const Reader read_dm_bytes = [](const ByteReader& f) { read_dm(f, {}); };
const Reader read_ser_bytes = [](const ByteReader& f) { read_ser(f, {}, ""); };
const Reader read_mrc_bytes = [](const ByteReader& f) { read_mrc(f, {}); };
const Reader read_emi_bytes = [](const ByteReader& f) { read_emi_metadata(f); };

struct Tally {
  int read_fine = 0, refused = 0;
};

// Runs one (possibly corrupt) file; returns the InputError message, or "" when it read fine.
std::string run_one(const std::string& name, Bytes bytes, const Reader& read, Tally& tally) {
  const std::size_t size = bytes.size();
  const ByteReader file(name, std::move(bytes));
  std::string message;
  g_largest = 0;
  g_tracking = true;
  try {
    read(file);
    ++tally.read_fine;
  } catch (const InputError& e) {
    message = e.what();
    ++tally.refused;
  } catch (const std::exception& e) {
    g_tracking = false;
    ADD_FAILURE() << name << ": not an InputError: " << e.what();
    return "other";
  }
  g_tracking = false;
  if (!message.empty()) EXPECT_EQ(message.rfind(name + ": ", 0), 0u) << "error does not name the file: " << message;
  // Pixels may take twice the file (MRC half floats widened to float); the rest is small change.
  EXPECT_LE(g_largest.load(), 2 * size + 4096) << name << ": allocation of " << g_largest.load() << " bytes";
  return message;
}

// Truncations at every length up to 256 and at 64 spread lengths, flips of single bytes and
// 4-byte overwrites with huge values at deterministic random places (most of them in the first
// 4 KiB, where the headers are).
Tally mutate_all(const std::string& label, const Bytes& original, const Reader& read, int flips) {
  Tally tally;
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n < std::min<std::size_t>(original.size(), 256); ++n) lengths.push_back(n);
  for (int k = 1; k <= 64; ++k) lengths.push_back(original.size() * std::size_t(k) / 65);
  lengths.push_back(original.size() - 1);
  for (std::size_t n : lengths)
    run_one(label + "_cut" + std::to_string(n), Bytes(original.begin(), original.begin() + std::ptrdiff_t(n)),
            read, tally);
  std::mt19937 rng(20251124);
  const std::size_t header_span = std::min<std::size_t>(original.size(), 4096);
  for (int k = 0; k < flips; ++k) {
    Bytes b = original;
    const std::size_t span = k % 2 ? b.size() : header_span;
    const std::size_t at = rng() % span;
    if (k % 3 == 2 && at + 4 <= b.size()) {
      static const std::uint8_t huge[][4] = {{0xFF, 0xFF, 0xFF, 0x7F}, {0x00, 0x00, 0x00, 0x40},
                                             {0xFF, 0xFF, 0xFF, 0xFF}, {0x40, 0x00, 0x00, 0x00}};
      std::memcpy(b.data() + at, huge[rng() % 4], 4);
    } else {
      b[at] ^= std::uint8_t(1 + rng() % 255);
    }
    run_one(label + "_flip" + std::to_string(k) + "@" + std::to_string(at), std::move(b), read, tally);
  }
  return tally;
}

// Every corpus must contain refusals (the mutations reach the headers), except the .emi scan,
// which by design never refuses.
void report(const std::string& label, const Tally& t, bool expect_refusals = true) {
  std::printf("corpus %-44s %5d read fine, %5d refused\n", label.c_str(), t.read_fine, t.refused);
  if (expect_refusals) EXPECT_GT(t.refused, 0) << label;
}

test::DmImageSpec dm_float_image() {
  test::DmImageSpec s;
  s.pixels = test::gradient_pixels<float>(6, 4);
  return s;
}

// ---------------------------------------------------------------- mutated corpora

TEST(Corrupt, SyntheticFiles) {
  for (int version : {3, 4})
    for (bool little : {true, false}) {
      const std::string label = "dm" + std::to_string(version) + (little ? "le" : "be");
      report(label, mutate_all(label, test::make_dm(test::DmWriter(version, little), dm_float_image()),
                               read_dm_bytes, 600));
    }
  for (std::uint16_t version : {std::uint16_t(0x210), std::uint16_t(0x220)}) {
    test::SerSpec s;
    s.version = version;
    s.frames = 2;
    const std::string label = version == 0x220 ? "ser_v0x220" : "ser_v0x210";
    report(label, mutate_all(label, test::make_ser(s), read_ser_bytes, 600));
  }
  test::MrcSpec m;
  m.exttyp = "FEI1";
  m.extended = test::fei1_extended_header(3, 1e-10f, 1e5f);
  report("mrc_fei", mutate_all("mrc_fei", test::make_mrc(m), read_mrc_bytes, 600));
  m = {};
  m.mode = 12;
  m.big_endian = true;
  report("mrc_half_be", mutate_all("mrc_half_be", test::make_mrc(m), read_mrc_bytes, 600));
  report("emi", mutate_all("emi", test::make_emi("Diffraction"), read_emi_bytes, 600), false);
}

TEST(Corrupt, RealFiles) {
  const std::pair<const char*, const Reader*> files[] = {
      {"hrtem/test_STEM_image.dm3", &read_dm_bytes},
      {"hrtem/dmTest_float32_nonSquare_diffPixelSize.dm4", &read_dm_bytes},
      {"hrtem/test-1.dm4", &read_dm_bytes},
      {"hrtem/08_carbon.dm3", &read_dm_bytes},
      {"hrtem/temp.mrc", &read_mrc_bytes},
      {"hrtem/16_STOimage_1.ser", &read_ser_bytes},
      {"hrtem/16_STOimage.emi", &read_emi_bytes},
  };
  for (const auto& [relative, read] : files) {
    MGSCOPE_SHARED_OR_SKIP(path, relative);
    const ByteReader whole(path);
    const Bytes bytes(whole.data(), whole.data() + whole.size());
    const std::string label = std::filesystem::path(path).filename().string();
    report(label, mutate_all(label, bytes, *read, whole.size() > 1000000 ? 60 : 300), read != &read_emi_bytes);
  }
}

// ---------------------------------------------------------------- crafted lies

template <class T>
void poke(Bytes& b, std::size_t at, T v, bool big = false) {
  Bytes tmp;
  test::put<T>(tmp, v, big);
  std::memcpy(b.data() + at, tmp.data(), tmp.size());
}

std::string refused(const std::string& name, const Bytes& b, const Reader& read) {
  Tally t;
  const std::string msg = run_one(name, b, read, t);
  EXPECT_EQ(t.refused, 1) << name << " was read although it lies";
  return msg;
}

TEST(Corrupt, MrcHugeSizesAndOffsets) {
  const Bytes good = test::make_mrc({});
  for (std::size_t field : {0u, 4u}) {  // nx, ny = 2^30
    Bytes b = good;
    poke<std::int32_t>(b, field, 1 << 30);
    EXPECT_NE(refused("huge" + std::to_string(field) + ".mrc", b, read_mrc_bytes).find("larger than the file"),
              std::string::npos);
  }
  {  // nz = 2^30: the 3 whole sections are read as a stack cut short, with its warning; no more.
    Bytes b = good;
    poke<std::int32_t>(b, 8, 1 << 30);
    const LoadedImage img = read_mrc(ByteReader("huge8.mrc", b), {});
    std::string warnings;
    for (const std::string& w : img.info.warnings) warnings += w + "\n";
    EXPECT_NE(warnings.find("the file holds 3 whole section(s) of the 1073741824 its header declares"),
              std::string::npos) << warnings;
    EXPECT_EQ(img.info.frames, 1 << 30);
    EXPECT_EQ(img.info.frames_held, 3);  // what a series reads; the rest it names once
    ReadOptions o;
    o.frame = 3;
    EXPECT_THROW(read_mrc(ByteReader("huge8.mrc", b), o), InputError);
  }
  Bytes b = good;
  poke<std::int32_t>(b, 92, 0x7FFFFFFF);  // NEXT far past the end
  refused("next_huge.mrc", b, read_mrc_bytes);
  poke<std::int32_t>(b, 92, -4096);
  EXPECT_NE(refused("next_negative.mrc", b, read_mrc_bytes).find("negative"), std::string::npos);
}

TEST(Corrupt, SerOffsetsOutsideTheFile) {
  for (std::uint16_t version : {std::uint16_t(0x210), std::uint16_t(0x220)}) {
    test::SerSpec s;
    s.version = version;
    const Bytes good = test::make_ser(s);
    const bool wide = version == 0x220;
    const auto put_offset = [&](Bytes& b, std::size_t at, std::int64_t v) {
      if (wide) poke<std::int64_t>(b, at, v); else poke<std::int32_t>(b, at, std::int32_t(v));
    };
    const ByteReader header("good.ser", good);
    const std::int64_t array_at = wide ? header.get<std::int64_t>(22, Endian::little, "offset array")
                                       : header.get<std::int32_t>(22, Endian::little, "offset array");
    Bytes b = good;
    put_offset(b, 22, std::int64_t(good.size()) + 100);  // offset array past the end
    EXPECT_NE(refused("array_past_end.ser", b, read_ser_bytes).find("outside the file"), std::string::npos);
    put_offset(b, 22, -8);
    refused("array_negative.ser", b, read_ser_bytes);
    b = good;
    put_offset(b, std::size_t(array_at), std::int64_t(good.size()) + 1);  // element past the end
    EXPECT_NE(refused("element_past_end.ser", b, read_ser_bytes).find("outside the file"), std::string::npos);
    put_offset(b, std::size_t(array_at), -1);
    refused("element_negative.ser", b, read_ser_bytes);
    b = good;
    const std::size_t element = std::size_t(wide ? 34 : 30) + 32;  // header + one dimension record
    poke<std::int32_t>(b, element + 42, 1 << 30);                  // ArraySizeX = 2^30
    EXPECT_NE(refused("huge_width.ser", b, read_ser_bytes).find("larger than the file"), std::string::npos);
    b = good;
    poke<std::int32_t>(b, 18, 1 << 30);  // ValidNumberElements > Total
    refused("valid_over_total.ser", b, read_ser_bytes);
    // Total = Valid = 2^31 - 1 in a file of one element: reported as that many frames, and a series
    // of it threw std::bad_alloc. The data-offset array they need runs past the end of the file.
    b = good;
    poke<std::int32_t>(b, 14, 0x7FFFFFFF);
    poke<std::int32_t>(b, 18, 0x7FFFFFFF);
    const std::uint64_t slot = wide ? 8 : 4;
    EXPECT_EQ(refused("count_forged.ser", b, read_ser_bytes),
              "count_forged.ser: at byte 18: SER ValidNumberElements 2147483647 needs a data-offset array of "
              "2147483647 x " +
                  std::to_string(slot) + " bytes from byte " + std::to_string(array_at) +
                  " (OffsetArrayOffset, byte 22) to byte " +
                  std::to_string(array_at + 0x7FFFFFFFll * std::int64_t(slot)) + ", past the end of the " +
                  std::to_string(good.size()) + "-byte file: the element count is larger than the file holds");
  }
}

// DM ends a file with 8 zero bytes after the tag tree. A file cut inside them (its last byte
// missing) had been read with exit 0; cut anywhere from 1 to 8 bytes it is refused as truncated.
// A file that stops inside the 8 zero bytes DM writes after its tag tree had been read without a word.
// Its tags and pixels are whole, so it is read, with a warning that it may be a cut copy.
TEST(Corrupt, DmCutInsideItsEndMarkIsReadWithAWarning) {
  const auto end_mark_warning = [](const LoadedImage& image) {
    for (const std::string& w : image.info.warnings)
      if (w.find("short of the 8 zero bytes DM writes there") != std::string::npos) return w;
    return std::string();
  };
  for (int version : {3, 4}) {
    const Bytes whole = test::make_dm(test::DmWriter(version, true), dm_float_image());
    const std::string ext = ".dm" + std::to_string(version);
    EXPECT_EQ(end_mark_warning(read_dm(ByteReader("whole" + ext, Bytes(whole)), {})), "");
    for (std::size_t cut = 1; cut <= 8; ++cut) {
      const LoadedImage image =
          read_dm(ByteReader("cut" + ext, Bytes(whole.begin(), whole.end() - std::ptrdiff_t(cut))), {});
      EXPECT_EQ(end_mark_warning(image), "the file ends " + std::to_string(8 - cut) +
                                             " byte(s) after the tag tree, short of the 8 zero bytes DM writes there: "
                                             "it may be a cut copy (its tags and pixels are whole)");
      EXPECT_EQ(image.info.width, read_dm(ByteReader("whole" + ext, Bytes(whole)), {}).info.width);
    }
  }
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/test_STEM_image.dm3");
  const ByteReader real(path);
  const LoadedImage cut =
      read_dm(ByteReader("test_STEM_image_cut.dm3", Bytes(real.data(), real.data() + real.size() - 1)), {});
  EXPECT_NE(end_mark_warning(cut).find("the file ends 7 byte(s) after the tag tree"), std::string::npos);
  EXPECT_EQ(end_mark_warning(read_dm(real, {})), "");
}

TEST(Corrupt, DmTreeNested10000Deep) {
  for (int version : {3, 4}) {
    const test::DmWriter w(version, true);
    Bytes b;
    test::put<std::uint32_t>(b, std::uint32_t(version), true);
    b.insert(b.end(), version == 4 ? 8 : 4, 0);
    test::put<std::uint32_t>(b, 1, true);
    for (int depth = 0; depth < 10000; ++depth) {  // group with one entry: a group named "g"
      test::put_bytes(b, Bytes{1, 0});
      test::put_bytes(b, w.word(1));
      test::put_bytes(b, Bytes{20, 0, 1, 'g'});
      if (version == 4) test::put<std::uint64_t>(b, 0, true);
    }
    test::put_bytes(b, Bytes{1, 0});
    test::put_bytes(b, w.word(0));
    const std::string msg = refused("deep.dm" + std::to_string(version), b, read_dm_bytes);
    EXPECT_NE(msg.find("nested deeper than 64"), std::string::npos) << msg;
  }
}

TEST(Corrupt, DmHugeCounts) {
  const test::DmWriter w(4, true);
  // Root tag count 2^40.
  Bytes b = test::make_dm(w, dm_float_image());
  poke<std::uint64_t>(b, 18, std::uint64_t(1) << 40, true);  // after header (16) and flags (2)
  const std::string msg = refused("count.dm4", b, read_dm_bytes);
  EXPECT_NE(msg.find("declares 1099511627776 tags"), std::string::npos) << msg;

  // An array of 2^40 floats, and a type description of 2^40 words.
  for (bool description : {false, true}) {
    Bytes a = w.file({w.group_entry(
        "ImageList", w.group({w.group_entry("", w.group({w.group_entry(
                                                  "ImageData", w.group({w.array("Data", 6, 4, Bytes(16, 0))}))}))}))});
    // Find the Data tag's '%%%%' and rewrite the length that follows it.
    const std::string s(a.begin(), a.end());
    const std::size_t at = s.find("%%%%");
    ASSERT_NE(at, std::string::npos);
    poke<std::uint64_t>(a, description ? at + 4 : at + 4 + 8 * 3, std::uint64_t(1) << 40, true);
    refused(description ? "ninfo.dm4" : "array.dm4", a, read_dm_bytes);
  }

  // Dimensions of 2^30 x 2^30 with a small Data array.
  test::DmImageSpec s = dm_float_image();
  s.dims = {1u << 30, 1u << 30};
  EXPECT_NE(refused("dims.dm4", test::make_dm(w, s), read_dm_bytes).find("larger than the file"),
            std::string::npos);
}

}  // namespace
}  // namespace mgscope
