// Readers must not return wrong numbers silently: names with a quote used as a unit mark stay
// aligned with their cells.
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/base/text_file.hpp"
#include "magnetics/io/qd_reader.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

// A PPMS VSM header of 58 names in the style of MultiVu, two of which use '"' as a unit mark.
std::vector<std::string> ppms_vsm_names() {
  std::vector<std::string> n = {"Comment", "Time Stamp (sec)", "Temperature (K)", "Magnetic Field (Oe)",
                                "Moment (emu)", "M. Std. Err. (emu)", "Transport Action", "Averaging Time (sec)",
                                "Frequency (Hz)", "Peak Amplitude (mm)", "Center Position (mm)",
                                "Coil Signal\" (mV)", "Coil Signal' (mV)", "Range (mV)", "M. Quad. Signal (emu)",
                                "M. Raw\" (emu)", "M. Raw' (emu)", "Min. Temperature (K)", "Max. Temperature (K)",
                                "Min. Field (Oe)", "Max. Field (Oe)", "Mass (grams)", "Motor Lag (deg)",
                                "Pressure (Torr)"};
  for (int k = static_cast<int>(n.size()); k < 58; ++k) n.push_back("Map " + std::to_string(k) + " (V)");
  return n;
}

TEST(QuotesInNames, PpmsUnitMarkQuotesKeepAllFiftyEightColumnsAligned) {
  const auto names = ppms_vsm_names();
  std::string text = "[Header]\nBYAPP, VSM, 1.0\nINFO, 10.0, SAMPLE_MASS\n[Data]\n";
  for (std::size_t k = 0; k < names.size(); ++k) text += (k ? "," : "") + names[k];
  text += "\n";
  for (int r = 0; r < 3; ++r) {
    text += "row" + std::to_string(r);  // Comment
    for (std::size_t k = 1; k < names.size(); ++k) text += "," + std::to_string(k) + "." + std::to_string(r);
    text += "\n";
  }
  QdReadOptions o;
  o.moment_column = "M. Raw' (emu)";  // after all three names with a quote in them
  const QdData d = parse_qd_text(decode_text("vsm.dat", text), o);
  ASSERT_EQ(d.column_names.size(), 58u);
  EXPECT_EQ(d.column_names[11], "Coil Signal\" (mV)");
  EXPECT_EQ(d.column_names[15], "M. Raw\" (emu)");
  EXPECT_EQ(d.column_index("M. Raw' (emu)"), 16u);
  EXPECT_EQ(d.column_index("Pressure (Torr)"), 23u);
  // Cell k of row r holds k.r: the moment read is column 16's, not one three columns off.
  EXPECT_DOUBLE_EQ(d.moment_emu[2], 16.2);
  EXPECT_DOUBLE_EQ(d.temperature_K[1], 2.1);
  EXPECT_EQ(d.comment[0], "row0");
}

TEST(QuotesInNames, QuotedFieldsStillProtectDelimiters) {
  EXPECT_EQ(split_fields("a,\"b,c\",d", ','), (std::vector<std::string>{"a", "b,c", "d"}));
  EXPECT_EQ(split_fields("a, \"b\"\"c\",d", ','), (std::vector<std::string>{"a", "b\"c", "d"}));
  EXPECT_EQ(split_fields("Coil Signal\" (mV),M. Raw\" (emu),x", ','),
            (std::vector<std::string>{"Coil Signal\" (mV)", "M. Raw\" (emu)", "x"}));
}

}  // namespace
}  // namespace mgscope
