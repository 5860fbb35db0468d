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

// Windows' "Unicode text": UTF-16 with its byte-order mark, little- or big-endian, decoded to UTF-8
// (a µ of two bytes, a character beyond the 16-bit plane from its surrogate pair); a file cut in a
// character and a NUL character are refused, and a detector's head cut mid-file drops its last,
// partial line as for UTF-8.
TEST(TextFile, DecodesUtf16WithItsByteOrderMark) {
  auto utf16 = [](const std::u16string& text, bool little) {
    std::string bytes = little ? "\xFF\xFE" : "\xFE\xFF";
    for (char16_t u : text) {
      const char lo = static_cast<char>(u & 0xFF), hi = static_cast<char>(u >> 8);
      bytes += little ? lo : hi;
      bytes += little ? hi : lo;
    }
    return bytes;
  };
  const std::u16string text = u"Load (\u00B5N)\tx \U0001F600\r\n1,5\t2\r\n";
  for (const bool little : {true, false}) {
    const TextFile tf = decode_text("u.txt", utf16(text, little));
    EXPECT_TRUE(tf.decoded_from_utf16);
    ASSERT_EQ(tf.lines.size(), 2u);
    EXPECT_EQ(tf.lines[0], "Load (\xC2\xB5N)\tx \xF0\x9F\x98\x80");
    EXPECT_EQ(tf.lines[1], "1,5\t2");
  }
  std::string odd = utf16(text, true);
  odd.pop_back();
  EXPECT_THROW(decode_text("u.txt", odd), InputError);
  EXPECT_THROW(decode_text("u.txt", utf16(std::u16string(u"a\0b", 3), true)), InputError);
  const std::string head = utf16(text, true).substr(0, 41);  // odd, and inside the second line
  const TextFile part = decode_text_head("u.txt", head, 41);
  ASSERT_EQ(part.lines.size(), 1u);
  EXPECT_EQ(part.lines[0], "Load (\xC2\xB5N)\tx \xF0\x9F\x98\x80");
}

// A row of whole numbers decides nothing about the decimal mark; the first row with a '.' or a
// decimal comma does (a European export starting "0;-300;0;0;0" had been read with a point).
TEST(TextFile, TheFirstRowThatShowsItDecidesTheDecimalMark) {
  const std::vector<std::string> european{"time;depth;load", "", "0;-300;0", "0,1;-299,5;0,005479", "0.2;1;2"};
  EXPECT_EQ(detect_decimal_of_rows(european, 1, ';'), ',');
  EXPECT_EQ(detect_decimal(split_line(european[2], ';'), ';'), '.') << "one row alone cannot tell";
  EXPECT_EQ(detect_decimal_of_rows({"0;1;2", "0.5;1;2", "0,5;1;2"}, 0, ';'), '.');
  EXPECT_EQ(detect_decimal_of_rows({"0;1;2", "3;4;5"}, 0, ';'), '.');
  EXPECT_EQ(detect_decimal_of_rows({"0\t1,5\t2"}, 0, '\t'), ',');
  EXPECT_EQ(detect_decimal_of_rows({"0,1,2", "1,5,3"}, 0, ','), '.');
}

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
