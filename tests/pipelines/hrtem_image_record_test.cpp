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

}  // namespace
}  // namespace mgscope
