// Quantum Design reader: the real MPMS3 files (row counts, columns, masses checked with awk/grep
// on the files) and every variant of formats.md 3.1 as small inline files.
#include "magnetics/io/qd_reader.hpp"

#include <algorithm>
#include <cmath>

#include "fitting/base/error.hpp"
#include "magnetics/mce_inputs.hpp"
#include "magnetics/segments.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

QdData parse(const std::string& name, const std::string& bytes, const QdReadOptions& o = {}) {
  return parse_qd_text(decode_text(name, bytes), o);
}

// --- real files -----------------------------------------------------------------------------

TEST(QdReaderReal, FieldCooledFilesHaveTheirRowsColumnsAndMass) {
  for (const char* name : {"fc7.dat", "fc8.dat", "fc9.dat", "fc10.dat", "fc11.dat", "fc12.dat", "fc13.dat"}) {
    MGSCOPE_SHARED_OR_SKIP(path, std::string("mpms/") + name);
    const QdData d = read_qd_file(path);
    EXPECT_EQ(d.variant, "MPMS3") << name;
    EXPECT_EQ(d.delimiter, ',');
    EXPECT_EQ(d.row_count(), 193u) << name;  // awk: lines after the column line
    EXPECT_EQ(d.column_names.size(), 89u) << name;
    EXPECT_EQ(d.column_names[2], "Temperature (K)");
    ASSERT_TRUE(d.sample_mass_mg) << name;
    EXPECT_DOUBLE_EQ(*d.sample_mass_mg, 10.1);  // grep: INFO,10.1,SAMPLE_MASS
    // `Moment (emu)` is empty in DC-scan mode: the auto-pick takes DC Moment Free Ctr.
    EXPECT_EQ(d.moment_column, "DC Moment Free Ctr (emu)") << name;
    EXPECT_EQ(d.moment_error_column, "DC Moment Err Free Ctr (emu)");
    EXPECT_EQ(d.info_value("SAMPLE_SIZE").value_or(""), "-0.000319");  // repurposed field kept verbatim
    EXPECT_EQ(d.info_value("APPNAME").value_or(""),
              "MPMS3 Measurement Release 1.1.16 Build 424, MultiVu Release 2.3.4.19");
  }
  MGSCOPE_SHARED_OR_SKIP(fc7, "mpms/fc7.dat");
  const QdData d = read_qd_file(fc7);
  EXPECT_NEAR(d.temperature_K.front(), 2.00080764293671, 1e-12);
  EXPECT_NEAR(d.field_Oe.front(), 100.035980224609, 1e-9);
  EXPECT_NEAR(d.moment_emu.front(), 0.00200654831765492, 1e-15);
  const auto sets = mt_curves(d, 10.1);
  ASSERT_EQ(sets.size(), 1u);  // one set-point: 100 Oe
  EXPECT_NEAR(sets[0].field_Oe, 100.0, 0.1);
}

TEST(QdReaderReal, Mvsh1IsTabDelimitedWithSevenLoops) {
  MGSCOPE_SHARED_OR_SKIP(path, "mpms/mvsh1.dat");
  const QdData d = read_qd_file(path);
  EXPECT_EQ(d.delimiter, '\t');
  EXPECT_EQ(d.row_count(), 7305u);
  EXPECT_EQ(d.column_names.size(), 89u);
  ASSERT_TRUE(d.sample_mass_mg);
  EXPECT_DOUBLE_EQ(*d.sample_mass_mg, 19.8);
  EXPECT_EQ(d.moment_column, "Moment (emu)");
  // Column names as awk -F'\t' prints them on the column line.
  EXPECT_EQ(d.column_names[0], "Comment");
  EXPECT_EQ(d.column_names[3], "Magnetic Field (Oe)");
  EXPECT_EQ(d.column_names[4], "Moment (emu)");
  EXPECT_EQ(d.column_names[39], "Mass (grams)");
  EXPECT_EQ(d.column_names[60], "DC Moment Free Ctr (emu)");
  EXPECT_EQ(d.column_names[88], "Map 16");
  std::vector<bool> usable(d.row_count(), true);
  const auto iso = split_isotherms(d.temperature_K, d.field_Oe, usable);
  ASSERT_EQ(iso.size(), 7u);
  const double temps[] = {2, 4, 6, 8, 10, 12, 300};
  const std::size_t rows[] = {1124, 1123, 1123, 1123, 1124, 1125, 563};  // awk on rounded T
  for (std::size_t i = 0; i < 7; ++i) {
    EXPECT_NEAR(iso[i].temperature_K, temps[i], 0.05);
    EXPECT_EQ(iso[i].rows.size(), rows[i]);
  }
  // Each low-T isotherm is a loop +7 T -> -7 T -> +7 T: two sweeps, down then up.
  ASSERT_EQ(iso[1].sweeps.size(), 2u);
  EXPECT_EQ(iso[1].sweeps[0].direction, -1);
  EXPECT_EQ(iso[1].sweeps[1].direction, 1);
  EXPECT_NEAR(iso[1].sweeps[0].field_max_Oe, 70000.3, 1);
  EXPECT_NEAR(iso[1].sweeps[0].field_min_Oe, -70000.3, 1);
}

TEST(QdReaderReal, Mvsh4QuotedCommentWithComma) {
  MGSCOPE_SHARED_OR_SKIP(path, "mpms/mvsh4.dat");
  const QdData d = read_qd_file(path);
  EXPECT_EQ(d.row_count(), 230u);
  EXPECT_EQ(d.comment[0], "MvsH, 293");
  EXPECT_DOUBLE_EQ(*d.sample_mass_mg, 2.875);
  EXPECT_EQ(d.moment_column, "DC Moment Free Ctr (emu)");
  EXPECT_TRUE(d.info_value("SAMPLE_VOLUME").has_value());
  EXPECT_EQ(*d.info_value("SAMPLE_VOLUME"), "");
}

TEST(QdReaderReal, MagentropyHeaderWithFreeTextAndFiveSetpoints) {
  MGSCOPE_SHARED_OR_SKIP(path, "mpms/magentropy_synthetic_magdata.dat");
  const QdData d = read_qd_file(path);
  EXPECT_EQ(d.row_count(), 500u);
  EXPECT_EQ(d.column_names.size(), 5u);
  EXPECT_DOUBLE_EQ(*d.sample_mass_mg, 0.10);
  const auto sets = mt_curves(d, 0.10);
  ASSERT_EQ(sets.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_NEAR(sets[i].field_Oe, 20.0 * (i + 1), 0.01);
    EXPECT_EQ(sets[i].temperature_K.size(), 100u);
  }
}

// --- variants ---------------------------------------------------------------------------------

TEST(QdReaderVariants, LegacyMpmsXlKeyFirstInfoAndLongMoment) {
  const std::string f =
      "[Header]\r\n; MPMS-XL\r\nTITLE,MPMS DC Measurement\r\nBYAPP,MPMS Measurement,2.1,Summary\r\n\r\n"
      "INFO, APPNAME, MPMS MultiVu Application\r\nINFO, WEIGHT, 48.400\r\n\r\n[Data]\r\n"
      "Time,Comment,Field (Oe),Temperature (K),Long Moment (emu),Long Scan Std Dev,Long Algorithm\r\n"
      "1480485262.746,,1.000000e+003,3.000000e+002,2.500000e-003,1.0e-006,1\r\n"
      "1480485290.120,,1.000000e+003,2.900000e+002,2.600000e-003,1.0e-006,1\r\n";
  const QdData d = parse("xl.dat", f);
  EXPECT_EQ(d.variant, "MPMS-XL");
  EXPECT_DOUBLE_EQ(*d.sample_mass_mg, 48.4);
  EXPECT_EQ(d.info_value("APPNAME").value_or(""), "MPMS MultiVu Application");
  EXPECT_EQ(d.moment_column, "Long Moment (emu)");
  EXPECT_EQ(d.moment_error_column, "Long Scan Std Dev");
  ASSERT_EQ(d.row_count(), 2u);
  EXPECT_DOUBLE_EQ(d.field_Oe[0], 1000.0);
  EXPECT_DOUBLE_EQ(d.temperature_K[1], 290.0);
  EXPECT_DOUBLE_EQ(d.moment_emu[1], 2.6e-3);
}

TEST(QdReaderVariants, BareMpmsCsvDetectedByFingerprint) {
  const std::string f =
      "Time,Comment,Field (Oe),Temperature (K),Long Moment (emu),Long Scan Std Dev\n"
      "1,,500,10,0.01,1e-6\n2,,500,12,0.009,1e-6\n";
  const QdData d = parse("bare.csv", f);
  EXPECT_EQ(d.variant, "bare MPMS CSV");
  EXPECT_FALSE(d.sample_mass_mg);
  EXPECT_EQ(d.row_count(), 2u);
}

TEST(QdReaderVariants, PpmsVsmWindows1252WithCommaValueAndSentinel) {
  const std::string f =
      "[Header]\r\n; VSM Data File\r\nBYAPP,VSM,2.0,2.0\r\nINFO,(1.98, 1.99, 2.70),SAMPLE_SIZE\r\n"
      "INFO,5.5,SAMPLE_MASS\r\n[Data]\r\n"
      "Comment,Time Stamp (sec),Temperature (K),Magnetic Field (Oe),Moment (emu),M. Std. Err. (emu),"
      "Bridge 1 Excitation (\xB5"
      "A),Motor Lag (deg)\r\n"
      "sample offset = 35.32 mm touchdown = 9.72 mm,35310946.7,300.1,10000,0.05,1e-5,,-99999999\r\n"
      ",35310950.7,300.1,20000,0.09,1e-5,,-99999999\r\n";
  const QdData d = parse("vsm.dat", f);
  EXPECT_TRUE(d.decoded_from_cp1252);
  EXPECT_EQ(d.variant, "PPMS VSM");
  EXPECT_EQ(d.info_value("SAMPLE_SIZE").value_or(""), "(1.98, 1.99, 2.70)");
  EXPECT_EQ(d.column_names[6], "Bridge 1 Excitation (\xC2\xB5" "A)");  // UTF-8 micro sign
  EXPECT_EQ(d.comment[0], "sample offset = 35.32 mm touchdown = 9.72 mm");
  EXPECT_TRUE(std::isnan(d.numeric_column("Motor Lag (deg)")[0]));  // sentinel -> NaN
  EXPECT_DOUBLE_EQ(d.moment_emu[1], 0.09);
}

TEST(QdReaderVariants, GenericCsvWithMassComment) {
  const QdData d = parse("g.csv", "# sample_mass_mg = 12.5\nT_K,H_Oe,M_emu\n100,1000,0.5\n100,2000,0.8\n");
  EXPECT_EQ(d.variant, "generic CSV");
  EXPECT_DOUBLE_EQ(*d.sample_mass_mg, 12.5);
  EXPECT_EQ(d.moment_column, "M_emu");
}

// Magnitudes no magnetometer gives (a garbled export, a wrong unit) are refused naming the line and
// the column; a pulsed-field 60 T (6e5 Oe) isotherm is read.
TEST(QdReaderVariants, AbsurdFieldMomentOrTemperatureNamesTheLineAndColumn) {
  const auto message = [](const std::string& name, const std::string& bytes) {
    try {
      parse(name, bytes);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("h.csv", "T_K,H_Oe,M_emu\n100,1000,0.5\n100,5e34,0.8\n").rfind(
                "h.csv: line 3, column 'H_Oe': 5e34 Oe lies beyond +-1e7 Oe (1000 T)", 0),
            0u);
  EXPECT_EQ(message("m.csv", "T_K,H_Oe,M_emu\n100,1000,-2e9\n").rfind("m.csv: line 2, column 'M_emu': -2e9 lies", 0),
            0u);
  EXPECT_EQ(message("t.csv", "T_K,H_Oe,M_emu\n3e5,1000,1\n").rfind("t.csv: line 2, column 'T_K': 3e5 K is above", 0),
            0u);
  EXPECT_EQ(parse("p.csv", "T_K,H_Oe,M_emu\n4.2,600000,12\n").field_Oe[0], 600000.0);
}

TEST(QdReaderVariants, MomentColumnOverrideAndAutoPickOrder) {
  const std::string f =
      "[Header]\nBYAPP,MPMS3,1,1\n[Data]\n"
      "Comment,Temperature (K),Magnetic Field (Oe),Moment (emu),DC Moment Fixed Ctr (emu),DC Moment Free Ctr (emu)\n"
      ",10,100,0.1,0.2,\n,11,100,0.1,0.2,\n";
  // Free Ctr is present but empty: Fixed Ctr comes next.
  EXPECT_EQ(parse("a.dat", f).moment_column, "DC Moment Fixed Ctr (emu)");
  QdReadOptions o;
  o.moment_column = "Moment (emu)";
  EXPECT_DOUBLE_EQ(parse("a.dat", f, o).moment_emu[0], 0.1);
  o.moment_column = "DC Moment Free Ctr (emu)";
  EXPECT_THROW(parse("a.dat", f, o), InputError);  // holds no numbers
  o.moment_column = "Nope";
  EXPECT_THROW(parse("a.dat", f, o), InputError);
}

// An MPMS3 sequence mixing VSM rows (moment in `Moment (emu)`) and DC-scan rows (moment in the
// DC columns only): each row takes the first column that holds a number, with a warning that
// counts the rows of each. The DC column alone lost the VSM rows (816 of 1836 in the probe).
TEST(QdReaderVariants, MixedDcScanAndVsmRowsTakeTheMomentRowByRow) {
  const std::string f =
      "[Header]\nBYAPP,MPMS3,1,1\n[Data]\n"
      "Comment,Temperature (K),Magnetic Field (Oe),Moment (emu),M. Std. Err. (emu),DC Moment Free Ctr (emu),"
      "DC Moment Err Free Ctr (emu)\n"
      ",10,100,0.1,0.001,,\n,10,200,0.2,0.002,,\n,20,100,,,0.3,0.003\n,20,200,0.9,0.009,0.4,0.004\n,30,100,,,,\n";
  const QdData d = parse("mix.dat", f);
  const double m[] = {0.1, 0.2, 0.3, 0.4}, e[] = {0.001, 0.002, 0.003, 0.004};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_DOUBLE_EQ(d.moment_emu[i], m[i]) << i;  // row 4 holds both: DC Free is preferred
    EXPECT_DOUBLE_EQ(d.moment_error_emu[i], e[i]) << i;
  }
  EXPECT_TRUE(std::isnan(d.moment_emu[4]));
  EXPECT_EQ(d.moment_column, "DC Moment Free Ctr (emu)");
  using Rows = std::vector<std::pair<std::string, std::size_t>>;
  EXPECT_EQ(d.moment_rows_by_column, (Rows{{"DC Moment Free Ctr (emu)", 2}, {"Moment (emu)", 2}}));
  ASSERT_EQ(d.warnings.size(), 2u);
  EXPECT_EQ(d.warnings[0],
            "mix.dat: the moment comes from 2 columns, row by row (a sequence mixing DC-scan and VSM measurements): "
            "'DC Moment Free Ctr (emu)' 2 rows, 'Moment (emu)' 2 rows; each row takes the first of them that holds a "
            "number");
  EXPECT_EQ(d.warnings[1], "mix.dat: 1 of 5 rows lack a temperature, field or 'DC Moment Free Ctr (emu)' or "
                           "'Moment (emu)' value and are not used");
  // A column the user names is the only one read.
  QdReadOptions o;
  o.moment_column = "Moment (emu)";
  EXPECT_TRUE(std::isnan(parse("mix.dat", f, o).moment_emu[2]));
}

// A column named by --moment-column is read in the unit its name states. 'Moment (A m2)' holding
// 1.5e-3 A m^2 was read as 0.0015 emu (1000x too small, no word); a pressure was read as emu.
TEST(QdReaderVariants, NamedMomentColumnIsReadInTheUnitOfItsName) {
  const auto file = [](const std::string& column, const std::string& value) {
    return "[Header]\nBYAPP,MPMS3,1,1\nINFO,10,SAMPLE_MASS\n[Data]\nComment,Temperature (K),Magnetic Field (Oe),"
           "Pressure (Torr)," + column + "\n,10,100,7.5," + value + "\n";
  };
  const auto read = [&](const std::string& column, const std::string& value) {
    QdReadOptions o;
    o.moment_column = column;
    return parse("n.dat", file(column, value), o);
  };
  const struct {
    const char* column;
    const char* value;
  } units[] = {{"Moment (A m2)", "1.5e-3"}, {"Moment (Am2)", "1.5e-3"}, {"M (A\xC2\xB7m\xC2\xB2)", "1.5e-3"},
               {"M (A m^2)", "1.5e-3"},     {"M [memu]", "1500"},        {"Moment (emu)", "1.5"},
               {"M (EMU)", "1.5"},          {"moment_Am2", "1.5e-3"}};
  for (const auto& u : units) {
    const QdData d = read(u.column, u.value);
    EXPECT_NEAR(d.moment_emu[0], 1.5, 1e-12) << u.column;
    EXPECT_TRUE(d.warnings.empty()) << u.column;
  }
  // No unit in the name: emu, and a warning that says so.
  const QdData bare = read("Moment", "1.5");
  EXPECT_DOUBLE_EQ(bare.moment_emu[0], 1.5);
  ASSERT_EQ(bare.warnings.size(), 1u);
  EXPECT_EQ(bare.warnings[0], "n.dat: moment column 'Moment' names no unit; its values are read as emu");
  const auto message = [&](const std::string& column) {
    QdReadOptions o;
    o.moment_column = column;
    try {
      parse("n.dat", file("M (emu/g)", "1.5"), o);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("Pressure (Torr)"), "n.dat: moment column 'Pressure (Torr)': its unit 'Torr' is not a magnetic "
                                        "moment (emu, memu or A m2; rule of docs/magnetics.md)");
  EXPECT_EQ(message("M (emu/g)").rfind("n.dat: moment column 'M (emu/g)': its unit 'emu/g' is a moment per g, not a "
                                       "magnetic moment",
                                       0),
            0u);
}

// Without a moment column the error names every column the reader looks for, and the option.
TEST(QdReaderBadInput, NoMomentColumnNamesTheAcceptedColumnsAndTheOption) {
  try {
    parse("p.dat", "[Data]\nTemperature (K),Magnetic Field (Oe),Signal (V)\n1,2,3\n");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "p.dat: line 2 (the column names): no moment column: none of 'DC Moment Free Ctr (emu)', 'DC Moment "
              "Fixed Ctr (emu)', "
              "'Moment (emu)', 'Long Moment (emu)', 'M_emu', 'Moment (Am2)'; name another with --moment-column");
  }
}

// The auto-pick finds its columns however their unit is spelled: an export with 'Moment (A m2)'
// was refused as having no moment column.
TEST(QdReaderVariants, AutoPickedColumnsMayRespellTheirUnit) {
  const struct {
    const char* column;
    const char* value;
  } spellings[] = {{"Moment (A m2)", "1.5e-3"}, {"Moment [A\xC2\xB7m\xC2\xB2]", "1.5e-3"}, {"Moment_Am2", "1.5e-3"},
                   {"Moment (EMU)", "1.5"},     {"M_EMU", "1.5"},         {"Long Moment [emu]", "1.5"}};
  for (const auto& s : spellings) {
    const QdData d = parse("s.dat", std::string("[Data]\nTemperature (K),Magnetic Field (Oe),") + s.column + "\n1,2," +
                                        s.value + "\n");
    EXPECT_NEAR(d.moment_emu[0], 1.5, 1e-12) << s.column;
    EXPECT_EQ(d.moment_column, s.column);
  }
  // A different stem is not a moment column the reader knows ('Moment' is, 'Moments' is not).
  EXPECT_THROW(parse("s.dat", "[Data]\nTemperature (K),Magnetic Field (Oe),Moments (A m2)\n1,2,3\n"), InputError);
}

// An MPMS3 DC-scan export in SI writes every moment column in A m2: 'Moment (Am2)' is empty and
// the moment is in 'DC Moment Free Ctr (Am2)', which the auto-pick did not know ("moment columns
// 'Moment (Am2)' hold no numbers"). Each DC column, and its error, is found in any moment unit.
TEST(QdReaderVariants, DcScanColumnsInSiUnitsAreAutoPickedWithTheirErrors) {
  for (const std::string unit : {"Am2", "A m2", "A\xC2\xB7m\xC2\xB2", "A*m^2"}) {
    const auto col = [&](const std::string& stem) { return stem + " (" + unit + ")"; };
    const std::string file = "[Header]\nBYAPP,MPMS3,1,1\n[Data]\nComment,Temperature (K),Magnetic Field (Oe)," +
                             col("Moment") + "," + col("M. Std. Err.") + "," + col("DC Moment Fixed Ctr") + "," +
                             col("DC Moment Err Fixed Ctr") + "," + col("DC Moment Free Ctr") + "," +
                             col("DC Moment Err Free Ctr") + "\n,10,100,,,1.4e-3,2e-6,1.5e-3,3e-6\n";
    const QdData d = parse("si.dat", file);
    EXPECT_EQ(d.moment_column, col("DC Moment Free Ctr")) << unit;
    EXPECT_EQ(d.moment_error_column, col("DC Moment Err Free Ctr")) << unit;
    EXPECT_NEAR(d.moment_emu[0], 1.5, 1e-12) << unit;
    EXPECT_NEAR(d.moment_error_emu[0], 3e-3, 1e-15) << unit;
    EXPECT_TRUE(d.warnings.empty()) << unit;
    ASSERT_EQ(d.notes.size(), 1u) << unit;
    EXPECT_EQ(d.notes[0],
              "si.dat: moment column '" + col("DC Moment Free Ctr") + "' is in " + unit + ": read as emu (x 1000)");
  }
  // The VSM column in mA m2 with its error in memu: each in its own unit.
  const QdData v = parse("v.dat",
                         "[Data]\nTemperature (K),Magnetic Field (Oe),Moment (mA m2),M. Std. Err. (memu)\n"
                         "10,100,1.5,2\n");
  EXPECT_EQ(v.moment_column, "Moment (mA m2)");
  EXPECT_NEAR(v.moment_emu[0], 1.5, 1e-12);
  EXPECT_NEAR(v.moment_error_emu[0], 2e-3, 1e-15);
  // A moment per mass is no moment: not picked.
  EXPECT_THROW(parse("g.dat", "[Data]\nTemperature (K),Magnetic Field (Oe),Moment (emu/g)\n1,2,3\n"), InputError);
}

// A field column in T, mT, kOe or A/m ('Magnetic Field (T)' of an export in SI) was refused as "no
// field column ('Magnetic Field (Oe)', ...)": it is read in Oe, with a note; a field name in a unit
// that is no field is refused naming the column and its unit.
TEST(QdReaderVariants, FieldColumnsInTeslaKiloOerstedOrAPerMetreAreReadInOe) {
  const struct {
    const char* column;
    const char* value;
  } fields[] = {
      {"Magnetic Field (T)", "7"},      {"Field (kOe)", "70"}, {"mu0H (T)", "7"},     {"Magnetic Field (mT)", "7000"},
      {"H (A/m)", "5570423.008216337"}, {"H_T", "7"},          {"Field [kOe]", "70"}, {"\xC2\xB5\x30H (T)", "7"},
      {"magnetic field (Oe)", "70000"}};
  for (const auto& f : fields) {
    const QdData d =
        parse("f.dat", std::string("[Data]\nTemperature (K),") + f.column + ",Moment (emu)\n10," + f.value + ",1.5\n");
    EXPECT_EQ(d.field_column, f.column);
    EXPECT_NEAR(d.field_Oe[0], 70000, 1e-6) << f.column;
  }
  const QdData t = parse("t.dat", "[Data]\nTemperature (K),Magnetic Field (T),Moment (emu)\n10,7,1.5\n");
  ASSERT_EQ(t.notes.size(), 1u);
  EXPECT_EQ(t.notes[0], "t.dat: field column 'Magnetic Field (T)' is in T: read as Oe (x 10000)");
  EXPECT_TRUE(t.warnings.empty());
  const auto message = [](const std::string& bytes) {
    try {
      parse("u.dat", bytes);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("[Data]\nTemperature (K),Magnetic Field (G/cm),Moment (emu)\n10,7,1.5\n"),
            "u.dat: line 2 (the column names): field column 'Magnetic Field (G/cm)' has unit 'G/cm'; expected Oe, T, "
            "mT, kOe or A/m (rule of docs/magnetics.md)");
  // The limit of +-1e7 Oe says the cell in the column's own unit.
  EXPECT_EQ(message("[Data]\nTemperature (K),Magnetic Field (T),Moment (emu)\n10,5e30,1.5\n")
                .rfind("u.dat: line 3, column 'Magnetic Field (T)': 5e30 T lies beyond +-1e7 Oe (1000 T)", 0),
            0u);
}

// A file re-saved by a spreadsheet in a German locale: ';' or tabs between the cells, "2,5" for 2.5
// (header mass included). It was refused: "moment columns ... hold no numbers", naming no line. With
// ';' or tabs the comma cannot separate cells, so it is read as a decimal comma, with a note.
TEST(QdReaderVariants, DecimalCommasAreReadWhereTheCellsAreSeparatedBySemicolonsOrTabs) {
  for (const char delim : {';', '\t'}) {
    std::string f =
        "[Header]\nINFO;10,5;SAMPLE_MASS\n[Data]\nComment;Temperature (K);Magnetic Field (Oe);Moment (emu)\n"
        ";2,5;70000,375;0,75\n;3;100;1\n";
    std::replace(f.begin(), f.end(), ';', delim);
    const QdData d = parse("de.dat", f);
    EXPECT_EQ(d.decimal, ',');
    ASSERT_TRUE(d.sample_mass_mg);
    EXPECT_DOUBLE_EQ(*d.sample_mass_mg, 10.5);
    EXPECT_DOUBLE_EQ(d.temperature_K[0], 2.5);
    EXPECT_DOUBLE_EQ(d.field_Oe[0], 70000.375);
    EXPECT_DOUBLE_EQ(d.moment_emu[0], 0.75);
    EXPECT_DOUBLE_EQ(d.moment_emu[1], 1.0);
    ASSERT_EQ(d.notes.size(), 1u);
    EXPECT_EQ(d.notes[0], std::string("de.dat: numbers are written with a decimal comma (the cells are separated by ") +
                              (delim == ';' ? "';'" : "tabs") + "): read as such");
  }
  // ';' with decimal points is read as before.
  EXPECT_DOUBLE_EQ(
      parse("pt.dat", "[Data]\nTemperature (K);Magnetic Field (Oe);Moment (emu)\n2.5;100;0.75\n").moment_emu[0], 0.75);
  // Where the rows also write decimal points (here the first row's comment), a decimal comma is not
  // read: the error names the line, the column, the cell and why.
  try {
    parse("mixed.dat", "[Data]\nComment\tTemperature (K)\tMagnetic Field (Oe)\tMoment (emu)\nrun 1.5\t2\t100\t0,75\n");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "mixed.dat: moment columns 'Moment (emu)' hold no numbers; line 3, column 'Moment (emu)': '0,75' is not a "
        "number (a decimal comma is read only where the cells are separated by ';' or tabs and the numbers "
        "write no decimal point); name another with --moment-column");
  }
}

TEST(QdReaderVariants, MassZeroIsNoMassWithAWarning) {
  const QdData d = parse("m0.dat", "[Header]\nINFO,0,SAMPLE_MASS\n[Data]\nT_K,H_Oe,M_emu\n1,2,3\n");
  EXPECT_FALSE(d.sample_mass_mg);
  ASSERT_FALSE(d.warnings.empty());
  EXPECT_NE(d.warnings[0].find("m0.dat"), std::string::npos);
  EXPECT_DOUBLE_EQ(effective_mass_mg(d, 0), 0.0);
  EXPECT_DOUBLE_EQ(effective_mass_mg(d, 3.0), 3.0);
}

TEST(QdReaderBadInput, ErrorsNameTheFile) {
  auto message = [](const std::string& name, const std::string& bytes) {
    try {
      parse(name, bytes);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("nodata.txt", "hello\nworld\n").find("nodata.txt: not a Quantum Design export"), std::string::npos);
  EXPECT_NE(message("nomoment.dat", "[Data]\nTemperature (K),Magnetic Field (Oe)\n1,2\n")
                .find("nomoment.dat: line 2 (the column names): no moment"),
            std::string::npos);
  EXPECT_NE(message("notemp.dat", "[Data]\nMagnetic Field (Oe),Moment (emu)\n1,2\n")
                .find("notemp.dat: line 2 (the column names): no temperature"),
            std::string::npos);
  EXPECT_NE(message("trunc.dat", "[Header]\n[Data]\n").find("trunc.dat"), std::string::npos);
  EXPECT_NE(message("norows.dat", "[Data]\nT_K,H_Oe,M_emu\n").find("no data rows"), std::string::npos);
  EXPECT_NE(message("garbled.dat", "[Data]\nT_K,H_Oe,M_emu\n1,2,3\n1,2.0.1,3\n").find("garbled.dat: line 4"),
            std::string::npos);
  EXPECT_NE(message("nan.dat", "[Data]\nT_K,H_Oe,M_emu\n1,2,nan\n").find("nan.dat"), std::string::npos);
  EXPECT_NE(message("wide.dat", "[Data]\nT_K,H_Oe,M_emu\n1,2,3,4\n").find("wide.dat: line 3 has 4 fields"),
            std::string::npos);
  EXPECT_THROW(decode_text("bin.dat", std::string("[Data]\0\1", 8)), InputError);
}

TEST(Segments, SetpointsAreSingleLinkClusters) {
  // The 40 kOe ramp labelled 40001 and 40000 (cryosweep) is one set-point; 100 Oe another.
  const std::vector<double> H = {100.04, 99.98, 40000.887, 39999.586, 40001.2, 100.01};
  const auto sp = split_field_setpoints(H, std::vector<bool>(H.size(), true));
  ASSERT_EQ(sp.size(), 2u);
  EXPECT_EQ(sp[0].rows, (std::vector<std::size_t>{0, 1, 5}));
  EXPECT_NEAR(sp[1].field_Oe, 40000.887, 1e-9);
}

}  // namespace
}  // namespace mgscope
