// An image's record (OUTDIR/.mgscope-records/<folder>.cbor) for folder names up to the 255-byte
// limit: an input named with 251 bytes before ".tif" had its folder written, then failed
// ("File name too long") on its record, and a re-run analysed it again.
#include "pipelines/hrtem_image_record.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/test_support.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;

TEST(HrtemRecord, FolderNamesUpToTheLimitHaveRecordsTheirOwn) {
  const fs::path out = test::scratch_dir("record_long");
  const nlohmann::json key = {{"settings", "--box=128\n"}};
  const std::string long_a(251, 'a'), long_b = std::string(250, 'a') + "b";  // alike up to the cut
  for (const std::string& name : {long_a, long_b, std::string(255, 'c'), std::string("short")}) {
    fs::create_directories(out / name);
    test::write_text(out / name / "summary.json", "{}");
    ASSERT_NO_THROW(write_hrtem_record(out / name, key, {{"path", name}})) << name.size() << " bytes";
  }
  for (const std::string& name : {long_a, long_b, std::string(255, 'c'), std::string("short")}) {
    const std::optional<nlohmann::json> row = read_hrtem_record(out / name, key);
    ASSERT_TRUE(row.has_value()) << name.size() << " bytes";
    EXPECT_EQ(row->at("path"), name);
  }
  EXPECT_FALSE(read_hrtem_record(out / long_a, {{"settings", "--box=256\n"}}).has_value());
  EXPECT_TRUE(fs::exists(out / kHrtemRecordDir / "short.cbor"));
}


// --gather says why an image's result does not count, and what to do: a shard given other options
// (here --overlay-max-px 512), run by another program, or whose folder lost a file had been told
// "its --shard run failed or has not run".
TEST(HrtemRecord, MismatchSaysWhichPartOfTheKeyDiffers) {
  const fs::path out = test::scratch_dir("record_mismatch");
  const fs::path input = out / "in.tif";
  test::write_text(input, "pixels");
  const std::string settings = "--box=2nm\n--overlay-max-px=1024\n";
  const nlohmann::json key = hrtem_image_key(settings, {input.string()});
  fs::create_directories(out / "im");
  test::write_text(out / "im" / "summary.json", "{}");
  EXPECT_EQ(hrtem_record_mismatch(out / "im", key), "its --shard run failed or has not run (run it again)");
  write_hrtem_record(out / "im", hrtem_image_key("--box=2nm\n--overlay-max-px=512\n", {input.string()}), {});
  EXPECT_EQ(hrtem_record_mismatch(out / "im", key),
            "it was made with other settings (--overlay-max-px=512 there; --overlay-max-px=1024 here): give every "
            "--shard and --gather the same options, and run its shard again");
  nlohmann::json other_program = key;
  other_program["program"] = {{"version", "0.9"}, {"size_bytes", 1}, {"mtime_ns", 2}};
  write_hrtem_record(out / "im", other_program, {});
  EXPECT_EQ(hrtem_record_mismatch(out / "im", key).rfind("it was made by another mgscope (version 0.9, ", 0), 0u);
  write_hrtem_record(out / "im", key, {});
  EXPECT_EQ(hrtem_record_mismatch(out / "im", key), "");
  test::write_text(out / "im" / "summary.json", "{");  // cut short
  EXPECT_EQ(hrtem_record_mismatch(out / "im", key),
            (out / "im" / "summary.json").string() + " has 1 bytes, written with 2: run its shard again");
  fs::remove(out / "im" / "summary.json");
  EXPECT_EQ(hrtem_record_mismatch(out / "im", key),
            (out / "im" / "summary.json").string() + " is missing: run its shard again");
}

}  // namespace
}  // namespace mgscope
