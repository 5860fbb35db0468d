// Stored zips written without libzip: the bytes libzip writes, read back by libzip, whatever the
// time zone; what the classic format cannot hold goes to libzip.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "fitting/base/zip_archive.hpp"

namespace mgscope {

namespace {

// Sets the process's time zone (a POSIX TZ string needs no tz database) and restores it.
class TimeZone {
 public:
  explicit TimeZone(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~TimeZone() {
    if (old_.empty()) unsetenv("TZ");
    else setenv("TZ", old_.c_str(), 1);
    tzset();
  }

 private:
  std::string old_;
};

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

std::vector<ZipEntry> roi_like_entries(int count) {
  std::vector<ZipEntry> entries;
  std::uint32_t state = 12345;
  for (int i = 0; i < count; ++i) {
    std::vector<std::uint8_t> b(64);
    for (auto& v : b) v = std::uint8_t((state = state * 1664525u + 1013904223u) >> 24);
    entries.push_back({"box" + std::to_string(100000 + i).substr(1) + "_crystal-like.roi", b});
  }
  return entries;
}

std::vector<std::pair<std::string, std::string>> read_back(const std::vector<std::uint8_t>& zip,
                                                           const std::string& name) {
  const std::filesystem::path path = std::filesystem::path(::testing::TempDir()) / name;
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(zip.data()), std::streamsize(zip.size()));
  std::vector<std::pair<std::string, std::string>> members;
  for_each_zip_member(
      path.string(), [](const std::string&, std::uint64_t) {},
      [&](const std::string& member, std::string bytes) { members.emplace_back(member, std::move(bytes)); });
  std::filesystem::remove(path);
  return members;
}

}  // namespace

TEST(StoredZip, HasLibzipsBytes) {
  const TimeZone utc("UTC0");  // libzip writes its fixed stamp in local time: the same bytes in UTC only
  const std::vector<std::vector<ZipEntry>> archives = {
      {},
      {{"a.roi", bytes_of("Iout")}},
      {{"empty.txt", {}}, {"text.csv", bytes_of("x,y\n1,2\n")}, {"big.bin", std::vector<std::uint8_t>(100000, 7)}},
      roi_like_entries(300),
  };
  for (const auto& entries : archives) {
    const std::vector<std::uint8_t> ours = stored_zip(entries), libzip = stored_zip_by_libzip(entries);
    EXPECT_EQ(ours.size(), libzip.size()) << entries.size() << " entries";
    EXPECT_TRUE(ours == libzip) << entries.size() << " entries";
    EXPECT_EQ(ours.capacity(), ours.size()) << entries.size() << " entries: written into one buffer of its size";
  }
}

TEST(StoredZip, SameBytesInEveryTimeZone) {
  const std::vector<ZipEntry> entries = roi_like_entries(5);
  std::vector<std::uint8_t> in_utc;
  {
    const TimeZone utc("UTC0");
    in_utc = stored_zip(entries);
  }
  const TimeZone east("CET-1");  // one hour east of UTC, where libzip's stamp read 01:00
  EXPECT_TRUE(stored_zip(entries) == in_utc);
  // DOS time and date of the first local header: 00:00 on 1980-01-01.
  EXPECT_EQ(in_utc[10] | in_utc[11] << 8, 0);
  EXPECT_EQ(in_utc[12] | in_utc[13] << 8, 0x21);
}

TEST(StoredZip, ReadsBackThroughLibzip) {
  const std::vector<ZipEntry> entries = roi_like_entries(40);
  const auto members = read_back(stored_zip(entries), "stored_zip_read_back.zip");
  ASSERT_EQ(members.size(), entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(members[i].first, entries[i].name);
    EXPECT_EQ(bytes_of(members[i].second), entries[i].bytes);
  }
}

TEST(StoredZip, LeavesToLibzipWhatTheClassicFormatCannotHold) {
  // 70,000 entries: past the classic end record's 16-bit count, so libzip writes Zip64.
  const std::vector<ZipEntry> many = roi_like_entries(70000);
  const auto members = read_back(stored_zip(many), "stored_zip_many.zip");
  ASSERT_EQ(members.size(), many.size());
  EXPECT_EQ(members.back().first, many.back().name);
  EXPECT_EQ(bytes_of(members.back().second), many.back().bytes);
  // Names libzip writes its own way, and two entries of one name, which it refuses.
  const std::vector<ZipEntry> utf8 = {{"d\xc3\xa9j\xc3\xa0.roi", bytes_of("Iout")}};
  EXPECT_TRUE(stored_zip(utf8) == stored_zip_by_libzip(utf8));
  EXPECT_THROW(stored_zip({{"a.roi", bytes_of("1")}, {"a.roi", bytes_of("2")}}), std::runtime_error);
}

}  // namespace mgscope
