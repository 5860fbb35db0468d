#include "fitting/base/length_units.hpp"

#include <gtest/gtest.h>

#include "fitting/base/error.hpp"

namespace mgscope {

TEST(LengthUnits, NormalisesSpellingsFromRealFiles) {
  EXPECT_DOUBLE_EQ(*nm_per_unit("nm"), 1.0);
  EXPECT_DOUBLE_EQ(*nm_per_unit("n_m"), 1.0);         // Berkeley EMD
  EXPECT_DOUBLE_EQ(*nm_per_unit("\xC2\xB5m"), 1e3);   // DM UTF-16 decoded
  EXPECT_DOUBLE_EQ(*nm_per_unit("micron"), 1e3);      // ImageJ
  EXPECT_DOUBLE_EQ(*nm_per_unit("A"), 0.1);
  EXPECT_DOUBLE_EQ(*nm_per_unit("\xC3\x85"), 0.1);
  EXPECT_DOUBLE_EQ(*nm_per_unit(" meters "), 1e9);    // TIA
  EXPECT_FALSE(nm_per_unit("pixel").has_value());
  EXPECT_FALSE(nm_per_unit("").has_value());
}

TEST(LengthUnits, ParsesOptionValues) {
  EXPECT_DOUBLE_EQ(parse_length_nm("0.0199nm", "--pixel-size"), 0.0199);
  EXPECT_DOUBLE_EQ(parse_length_nm("0.199 A", "--pixel-size"), 0.0199);
  EXPECT_DOUBLE_EQ(parse_length_nm("19.9pm", "--pixel-size"), 0.0199);
  EXPECT_NEAR(parse_length_nm("0.0000199um", "--pixel-size"), 0.0199, 1e-15);
  EXPECT_DOUBLE_EQ(parse_length_nm("1.985", "--box"), 1.985);
  EXPECT_THROW(parse_length_nm("-1nm", "--box"), InputError);
  EXPECT_THROW(parse_length_nm("2 furlongs", "--box"), InputError);
  EXPECT_THROW(parse_length_nm("nm", "--box"), InputError);
  EXPECT_THROW(parse_length_nm("0", "--box"), InputError);
}

// Lengths where 0 means "none" (synth hrtem --blur, --scale-bar) take units too.
TEST(LengthUnits, ParsesLengthsThatMayBeZero) {
  EXPECT_DOUBLE_EQ(parse_length_or_zero_nm("0", "--blur"), 0);
  EXPECT_DOUBLE_EQ(parse_length_or_zero_nm("0nm", "--blur"), 0);
  EXPECT_DOUBLE_EQ(parse_length_or_zero_nm("0.3A", "--blur"), 0.03);
  EXPECT_DOUBLE_EQ(parse_length_or_zero_nm("5", "--scale-bar"), 5);
  try {
    parse_length_or_zero_nm("-1A", "--blur");
    ADD_FAILURE() << "a negative length was taken";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "--blur: '-1A' is not a length >= 0 (e.g. 0.0199nm)");
  }
  EXPECT_THROW(parse_length_or_zero_nm("3 furlongs", "--blur"), InputError);
}

}  // namespace mgscope
