// Exports the readers used to refuse: Anton Paar indentation (no header, space-separated),
// Setaram DSC (furnace and sample temperature), any separator and decimal mark, columns
// recognised by quantity and unit.
#include <filesystem>
#include <fstream>
#include <string>

#include "fitting/base/error.hpp"
#include "fitting/base/text_file.hpp"
#include "fitting/io/dsc_readers.hpp"
#include "fitting/io/indent_readers.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;

std::vector<IndentCurve> read_indent_text(const std::string& name, const std::string& text) {
  static const fs::path dir = test::scratch_dir("exports");
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << text;
  return read_indent_file(p.string());
}

TEST(IndentExports, AntonPaarHeaderlessSpaceSeparatedColumns) {
  const auto c = read_indent_text("ap.txt", "0.000   0.000   0.0000\n0.100  12.500   0.2500\r\n0.200 25.000 0.5000\n");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].format, "headerless columns");
  EXPECT_EQ(c[0].size(), 3u);
  EXPECT_DOUBLE_EQ(c[0].time_s[2], 0.2);
  EXPECT_DOUBLE_EQ(c[0].depth_nm[1], 12.5);
  EXPECT_DOUBLE_EQ(c[0].load_mN[2], 0.5);
}

TEST(IndentExports, SemicolonsAndDecimalCommasWithAndWithoutHeader) {
  const auto bare = read_indent_text("comma.txt", "0;0,5;0,125\n1;10,25;2,5\n");
  EXPECT_DOUBLE_EQ(bare[0].depth_nm[1], 10.25);
  EXPECT_DOUBLE_EQ(bare[0].load_mN[0], 0.125);
  const auto named = read_indent_text("named.csv", "time_s;depth_nm;load_mN\n0;0,5;0,125\n1;10,25;2,5\n");
  EXPECT_EQ(named[0].format, "csv");
  EXPECT_DOUBLE_EQ(named[0].depth_nm[1], 10.25);
}

TEST(IndentExports, ColumnsFoundByQuantityAndUnit) {
  // Depth in µm (U+00B5) and load in µN (U+03BC), in another order, with an extra column.
  const auto c = read_indent_text("units.txt",
                                  "Force (\xCE\xBCN)\tTime (s)\tDisplacement (\xC2\xB5m)\tTemperature (C)\n"
                                  "100\t0\t0.010\t25\n2000\t1.5\t0.250\t25\n");
  ASSERT_EQ(c[0].size(), 2u);
  EXPECT_DOUBLE_EQ(c[0].load_mN[1], 2.0);
  EXPECT_DOUBLE_EQ(c[0].depth_nm[1], 250.0);
  EXPECT_DOUBLE_EQ(c[0].time_s[1], 1.5);
  const auto mn = read_indent_text("mn.csv", "Load [mN],Depth [nm],Time [min]\n1,2,0.5\n");
  EXPECT_DOUBLE_EQ(mn[0].time_s[0], 30.0);
  try {
    read_indent_text("mm.csv", "Load (mN),Depth (mm),Time (s)\n1,2,3\n");
    ADD_FAILURE() << "a depth in mm was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("line 1: depth column 'Depth (mm)' has unit 'mm'; expected nm, um"),
              std::string::npos) << e.what();
  }
}

// A Setaram-like export: the furnace temperature runs 5 K ahead of the sample's.
std::string setaram(char delim, bool decimal_comma) {
  std::string t = std::string("Time (s)") + delim + "Furnace Temperature (\xC2\xB0" "C)" + delim +
                  "Sample Temperature (\xC2\xB0" "C)" + delim + "TG (mg)" + delim + "HeatFlow (mW)\n";
  for (int i = 0; i < 60; ++i) {
    std::string row = std::to_string(6 * i) + delim + std::to_string(105 + 2 * i) + ".5" + delim +
                      std::to_string(100 + 2 * i) + ".5" + delim + "12.5" + delim + "-0.25\n";
    if (decimal_comma)
      for (char& ch : row)
        if (ch == '.') ch = ',';
    t += row;
  }
  return t;
}

TEST(DscExports, SetaramUsesTheSampleTemperature) {
  for (const auto& [delim, comma] : {std::pair{'\t', false}, std::pair{';', true}, std::pair{',', false}}) {
    const DscRun run = read_dsc(decode_text("setaram.txt", setaram(delim, comma)));
    ASSERT_EQ(run.temperature_K.size(), 60u);
    EXPECT_NEAR(run.temperature_K[0], 100.5 + 273.15, 1e-9);
    EXPECT_NEAR(run.temperature_K[59], 218.5 + 273.15, 1e-9);
    EXPECT_DOUBLE_EQ(run.heat_flow[3], -0.25);
    ASSERT_EQ(run.segments.size(), 1u);
    EXPECT_NEAR(run.segments[0].rate_K_per_min, 20.0, 1e-9);
  }
}

TEST(DscExports, WhitespaceSeparatedAndUnitsInKelvinAndWattsPerGram) {
  std::string t = "# exotherm: down\nt_s   T_K   HF_W_per_g\n";
  for (int i = 0; i < 30; ++i) t += std::to_string(3 * i) + "   " + std::to_string(400 + i) + "   0.5\n";
  const DscRun run = read_dsc(decode_text("ws.txt", t));
  ASSERT_EQ(run.temperature_K.size(), 30u);
  EXPECT_DOUBLE_EQ(run.temperature_K[29], 429.0);
  EXPECT_EQ(run.heat_flow_unit, HeatFlowUnit::mW_per_mg);
  EXPECT_DOUBLE_EQ(run.heat_flow[0], 0.5);
}

TEST(FuzzRegressions, TriboScanPointCountBeyondALongIsAnError) {
  // fuzz_indent: "Number of Points = 1111...12" (115 digits) was converted to long: undefined.
  const std::string digits(115, '1');
  try {
    read_indent_text("tribo_huge.txt", "Mon Apr 29 10:41:06 2019\n\nNumber of Points = " + digits +
                                           "\nDepth (nm)\tLoad (\xB5N)\tTime (s)\n1\t2\t0\n2\t2\t0.1\n");
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("line 3: Number of Points = " + digits +
                                         " but the file has only 6 lines (cut short?)"),
              std::string::npos)
        << e.what();
  }
  try {
    read_indent_text("tribo_frac.txt", "x\n\nNumber of Points = 1.5\nDepth (nm)\tLoad (mN)\tTime (s)\n1\t2\t0\n");
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("Number of Points = 1.5 is not a whole number"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace mgscope
