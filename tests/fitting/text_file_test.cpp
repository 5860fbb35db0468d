#include "fitting/base/text_file.hpp"

#include <gtest/gtest.h>

#include "fitting/base/error.hpp"

namespace mgscope {

TEST(TextFile, DecodesCp1252AndSplitsAnyLineEnding) {
  const TextFile tf = decode_text("x.txt", std::string("Load (\xB5N)\r\n1\n2\r3"));
  ASSERT_EQ(tf.lines.size(), 4u);
  EXPECT_EQ(tf.lines[0], "Load (\xC2\xB5N)");
  EXPECT_TRUE(tf.decoded_from_cp1252);
  EXPECT_EQ(tf.lines[3], "3");
}

TEST(TextFile, KeepsValidUtf8) {
  const TextFile tf = decode_text("x.txt", "Temp (\xC2\xB0""C)\n");
  EXPECT_FALSE(tf.decoded_from_cp1252);
  EXPECT_EQ(tf.lines[0], "Temp (\xC2\xB0""C)");
}

TEST(TextFile, RefusesBinary) { EXPECT_THROW(decode_text("x.bin", std::string("ab\0cd", 5)), InputError); }

TEST(TextFile, SplitsQuotedFields) {
  const auto f = split_fields("\"MvsH, 293\",3860779097.67,,\"a \"\"q\"\"\"", ',');
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0], "MvsH, 293");
  EXPECT_EQ(f[2], "");
  EXPECT_EQ(f[3], "a \"q\"");
  EXPECT_EQ(guess_delimiter("a\tb\tc,d"), '\t');
  EXPECT_EQ(guess_delimiter("a;b;c"), ';');
}

TEST(TextFile, ParsesNumbersStrictly) {
  EXPECT_DOUBLE_EQ(parse_number(" 1.000000e+003 ", "f", 1, "T"), 1000.0);
  EXPECT_DOUBLE_EQ(parse_number("12,5", "f", 1, "T", ','), 12.5);
  EXPECT_FALSE(parse_optional_number("  ", "f", 1, "T").has_value());
  try {
    parse_number("50.026.184", "run.csv", 7, "Temperature");
    FAIL() << "garbled number accepted";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("run.csv"), std::string::npos);
    EXPECT_NE(m.find("line 7"), std::string::npos);
    EXPECT_NE(m.find("Temperature"), std::string::npos);
  }
  EXPECT_THROW(parse_number("nan", "f", 1, "T"), InputError);
  EXPECT_THROW(parse_number("12abc", "f", 1, "T"), InputError);
  EXPECT_THROW(parse_number("", "f", 1, "T"), InputError);
}

}  // namespace mgscope
