#include "fitting/io/dsc_readers.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/dsc_curve.hpp"
#include "fitting/dsc_synth.hpp"
#include "fitting/dsc_transitions.hpp"
#include "tests/test_support.hpp"

namespace mgscope {

namespace {

// The InputError message of `f()`, or "" when it does not throw one.
template <class F>
std::string input_error(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// The bytes of `path` with field `field` (0-based, TAB-separated) of line `line_no` (1-based) set to `value`.
std::string with_field(const std::string& path, std::size_t line_no, std::size_t field, const std::string& value) {
  std::ifstream in(path, std::ios::binary);
  std::string out, line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (n == line_no) {
      std::vector<std::string> f;
      for (std::size_t a = 0, b; a <= line.size(); a = b + 1) {
        b = std::min(line.find('\t', a), line.size());
        f.push_back(line.substr(a, b - a));
      }
      f.at(field) = value;
      line.clear();
      for (std::size_t k = 0; k < f.size(); ++k) line += (k ? "\t" : "") + f[k];
    }
    out += line + '\n';
  }
  return out;
}

}  // namespace

TEST(DscReaders, SplitsLabelsAndUnits) {
  EXPECT_EQ(split_label_unit("Temp./\xC2\xB0" "C").unit, "\xC2\xB0" "C");
  EXPECT_EQ(split_label_unit("DSC/(mW/mg)").name, "DSC");
  EXPECT_EQ(split_label_unit("DSC/(mW/mg)").unit, "mW/mg");
  EXPECT_EQ(split_label_unit("Heat Flow (mW)").name, "Heat Flow");
  EXPECT_EQ(split_label_unit("T [K]").unit, "K");
  EXPECT_EQ(split_label_unit("HF_W_per_g").unit, "W/g");
  EXPECT_EQ(split_label_unit("t_min").name, "t");
}

// Real file: TA Instruments 2920 MDSC, eicosane, 1 K/min heating then cooling.
// Independent counts (awk on the file): 19035 lines, StartOfData at line 31, 4 marker rows with
// time -1 (lines 32, 33, 9534, 19035), 19000 data rows; heating rows are lines 34-9533.
TEST(DscReaders, ReadsTaUniversalAnalysisExport) {
  MGSCOPE_SHARED_OR_SKIP(path, "dsc/pkynetics_TA_UniversalAnalysis_eicosane.txt");
  const DscRun run = read_dsc(path);
  EXPECT_EQ(run.format, DscFormat::TaUniversal);
  EXPECT_EQ(run.sample, "Eicosane");
  EXPECT_EQ(run.exotherm, Exotherm::Up);
  EXPECT_TRUE(run.exotherm_from_file);
  ASSERT_TRUE(run.mass_mg.has_value());
  EXPECT_DOUBLE_EQ(*run.mass_mg, 9.0);
  EXPECT_EQ(run.heat_flow_unit, HeatFlowUnit::mW);
  ASSERT_EQ(run.time_s.size(), 19000u);
  // First data row (line 34): 187.9960 min, -21.18184 degC (written with a DOS-code-page degree sign), -10.46185 mW.
  EXPECT_EQ(run.line.front(), 34u);
  EXPECT_NEAR(run.time_s.front(), 187.9960 * 60, 1e-9);
  EXPECT_NEAR(run.temperature_K.front(), -21.18184 + 273.15, 1e-9);
  EXPECT_NEAR(run.heat_flow.front(), -10.46185, 1e-12);
  // The segment markers split heating from cooling.
  ASSERT_EQ(run.segments.size(), 2u);
  EXPECT_EQ(run.segments[0].kind, SegmentKind::Heating);
  EXPECT_EQ(run.line[run.segments[0].begin], 34u);
  EXPECT_EQ(run.line[run.segments[0].end - 1], 9533u);
  EXPECT_NEAR(run.segments[0].rate_K_per_min, 1.0, 0.05);
  EXPECT_EQ(run.segments[1].kind, SegmentKind::Cooling);
  EXPECT_EQ(run.line[run.segments[1].begin], 9535u);
  EXPECT_NEAR(run.segments[1].rate_K_per_min, -1.0, 0.05);
  EXPECT_EQ(heating_segments(run), std::vector<std::size_t>{0});
}

TEST(DscReaders, ReadsNetzschExportWithDecimalCommaAndSegments) {
  DscSynthParams p;
  const DscSynthRun synth = generate_dsc(p);
  const std::string text = write_dsc_netzsch(synth, p);
  // Proteus writes the degree sign in Windows-1252; the reader must still take it as degC.
  ASSERT_NE(text.find("Temp./\xB0" "C"), std::string::npos);
  const DscRun run = read_dsc(decode_text("run.txt", text));
  EXPECT_EQ(run.format, DscFormat::Netzsch);
  EXPECT_EQ(run.heat_flow_unit, HeatFlowUnit::mW_per_mg);
  ASSERT_TRUE(run.mass_mg.has_value());
  EXPECT_DOUBLE_EQ(*run.mass_mg, 10.0);
  EXPECT_TRUE(run.exotherm_from_file);
  ASSERT_EQ(run.time_s.size(), synth.time_s.size());
  for (std::size_t i = 0; i < run.time_s.size(); i += 97) {
    EXPECT_NEAR(run.temperature_K[i], synth.temperature_K[i], 1e-4);
    EXPECT_NEAR(run.time_s[i], synth.time_s[i], 1e-3);
    EXPECT_NEAR(run.heat_flow[i], synth.heat_flow_W_per_g[i], 1e-7);
  }
  ASSERT_EQ(run.segments.size(), 3u);
  const SegmentKind kinds[] = {SegmentKind::Heating, SegmentKind::Cooling, SegmentKind::Heating};
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(run.segments[std::size_t(k)].kind, kinds[k]);
    EXPECT_EQ(run.segments[std::size_t(k)].file_segment, k + 1);
    EXPECT_NEAR(std::abs(run.segments[std::size_t(k)].rate_K_per_min), 20.0, 1e-3);
  }
}

TEST(DscReaders, NetzschExoDirectionAndMassOverride) {
  DscSynthParams p;
  std::string text = write_dsc_netzsch(generate_dsc(p), p);
  const DscRun up = read_dsc(decode_text("up.txt", text));
  // "#EXO:,-1" (value after the separator, as comma-separated exports write it) = exotherm down.
  text.replace(text.find("#EXO:1"), 6, "#EXO:;-1");
  const DscRun down = read_dsc(decode_text("down.txt", text));
  EXPECT_EQ(up.exotherm, Exotherm::Up);
  EXPECT_EQ(down.exotherm, Exotherm::Down);
  const DscCurve cu = make_curve(up, 0, {}), cd = make_curve(down, 0, {});
  EXPECT_DOUBLE_EQ(cd.signal[100], -cu.signal[100]);  // flipped to exotherm up
  // A per-mass signal with another mass: rescaled by file mass / given mass (10 mg / 5 mg).
  CurveOptions half;
  half.mass_mg = 5;
  EXPECT_NEAR(make_curve(up, 0, half).signal[100], 2 * cu.signal[100], 1e-15);
  // A cooling segment is not an analysis curve.
  EXPECT_THROW(make_curve(up, 1, {}), InputError);
}

TEST(DscReaders, ReadsGenericCsvWithUnits) {
  // One ramp in W/g, degC, min, exotherm down, split by dT/dt (no segment column): heat then cool.
  std::ostringstream s;
  s << "# sample: g1\n# mass_mg: 5\n# exotherm: down\nT_C,t_min,HF_W_per_g\n";
  for (int i = 0; i <= 200; ++i) {
    const double t_min = i * 0.05, T_C = i <= 100 ? 100 + 10 * t_min : 150 - 10 * (t_min - 5);
    s << T_C << ',' << t_min << ',' << 0.001 * i << '\n';
  }
  const DscRun run = read_dsc(decode_text("g.csv", s.str()));
  EXPECT_EQ(run.format, DscFormat::GenericCsv);
  EXPECT_EQ(run.exotherm, Exotherm::Down);
  EXPECT_EQ(run.heat_flow_unit, HeatFlowUnit::mW_per_mg);
  EXPECT_NEAR(run.temperature_K[10], 100 + 5 + 273.15, 1e-9);
  EXPECT_NEAR(run.time_s[10], 30, 1e-9);
  EXPECT_NEAR(run.heat_flow[10], 0.01, 1e-12);
  ASSERT_EQ(run.segments.size(), 2u);
  EXPECT_EQ(run.segments[0].kind, SegmentKind::Heating);
  EXPECT_NEAR(run.segments[0].rate_K_per_min, 10, 0.5);
  EXPECT_EQ(run.segments[1].kind, SegmentKind::Cooling);
  // Absolute heat flow is divided by the mass; exotherm down is flipped.
  const DscCurve c = make_curve(run, 0, {});
  EXPECT_TRUE(c.per_gram);
  EXPECT_NEAR(c.signal[10], -0.01, 1e-12);

  const DscRun k = read_dsc(decode_text("k.csv", "# decimal: comma\nTemperature (K);Time (s);Heat Flow (W)\n300;0;0,5\n"
                                                 "301;6;0,5\n302;12;0,5\n"));
  EXPECT_NEAR(k.heat_flow[0], 500.0, 1e-12);  // W -> mW, with the declared decimal comma
  EXPECT_FALSE(k.mass_mg.has_value());
}

// '# mass_mg: 9,0' in a file that declares (or whose rows show) the decimal comma was refused as
// "'9,0' is not a number", though the rows were read with it (the NETZSCH reader took '9,000').
TEST(DscReaders, TheHeaderMassIsReadWithTheFilesDecimalMark) {
  const std::string rows = "T_C;t_min;HF_mW\n100,5;0;1,0\n101,5;0,1;1,0\n102,5;0,2;1,0\n";
  const DscRun declared = read_dsc(decode_text("d.csv", "# mass_mg: 9,5\n# decimal: comma\n" + rows));
  ASSERT_TRUE(declared.mass_mg.has_value());
  EXPECT_EQ(*declared.mass_mg, 9.5);
  const DscRun detected = read_dsc(decode_text("r.csv", "# mass_mg: 9,5\n" + rows));
  ASSERT_TRUE(detected.mass_mg.has_value());
  EXPECT_EQ(*detected.mass_mg, 9.5);
  // A point file keeps its rule: '9,5' is no number there, and the message names the header line.
  const std::string m =
      input_error([] { read_dsc(decode_text("p.csv", "# mass_mg: 9,5\nT_C,t_min,HF_mW\n100.5,0,1\n101.5,0.1,1\n")); });
  EXPECT_NE(m.find("p.csv: line 1, column 'mass_mg'"), std::string::npos) << m;
}

TEST(DscReaders, GarbledNumberNamesFileAndLine) {
  // A value mangled by a locale round-trip, as in the Setaram file of ../shared/docs/formats.md.
  const std::string m = input_error([] {
    read_dsc(decode_text("setaram.csv", "T_C,t_s,HF_mW\n50.02,0,1.0\n50.026.184,1,1.0\n"));
  });
  EXPECT_NE(m.find("setaram.csv"), std::string::npos) << m;
  EXPECT_NE(m.find("line 3"), std::string::npos) << m;
  EXPECT_NE(m.find("50.026.184"), std::string::npos) << m;

  const std::string n = input_error([] {
    read_dsc(decode_text("n.txt", "#DECIMAL:COMMA\n#SEPARATOR:SEMICOLON\n##Temp./\xB0" "C;Time/min;DSC/(mW/mg)\n"
                                  "50,1;0,1;0,2\n50.026.184;0,2;0,2\n"));
  });
  EXPECT_NE(n.find("n.txt"), std::string::npos) << n;
  EXPECT_NE(n.find("line 5"), std::string::npos) << n;
}

// Magnitudes no calorimeter gives (a garbled export, a wrong unit) are refused naming the line.
TEST(DscReaders, AbsurdHeatFlowOrTemperatureNamesTheLine) {
  const std::string hf = input_error([] { read_dsc(decode_text("hf.csv", "T_K,t_s,HF_mW\n300,0,1\n301,1,-3e30\n")); });
  EXPECT_NE(hf.find("hf.csv: line 3: heat flow -3e30 lies beyond +-1e6"), std::string::npos) << hf;
  const std::string t = input_error([] { read_dsc(decode_text("t.csv", "T_C,t_s,HF_mW\n300,0,1\n2e5,1,1\n")); });
  EXPECT_NE(t.find("t.csv: line 3: temperature 2e5 is above 10000 K"), std::string::npos) << t;
  // A hot DSC (1600 C) and a large signal in mW (a melting peak of a 100 mg sample) are read.
  EXPECT_EQ(read_dsc(decode_text("ok.csv", "T_C,t_s,HF_mW\n1600,0,-900\n1601,1,-950\n")).heat_flow.size(), 2u);
}

// An "inf" cell parses as a number; it is refused as the NaN an array may hold is.
TEST(DscReaders, AnInfiniteTimeIsRefusedNamingTheLine) {
  const std::string m = input_error([] { read_dsc(decode_text("inf.csv", "T_K,t_s,HF_mW\n300,0,1\n301,inf,1\n")); });
  EXPECT_EQ(m, "inf.csv: line 3: time inf is not a finite number");
}

// Arrays (from Python) are held to a file's rules: a NaN signal gave a Tg of NaN and status
// Success, reversed arrays a "heating" curve.
TEST(DscReaders, ArraysAreHeldToTheRulesOfAFilesRows) {
  std::vector<double> t, T, hf;
  for (int i = 0; i < 200; ++i) t.push_back(i), T.push_back(400 + 0.2 * i), hf.push_back(0.01 * i);
  const DscRun run = dsc_run_from_arrays("arrays", t, T, hf, HeatFlowUnit::mW_per_mg);
  ASSERT_EQ(heating_segments(run), std::vector<std::size_t>{0});
  EXPECT_EQ(describe_segments(run), "heating indices 0-199");
  EXPECT_NEAR(make_curve(run, 0, {}).rate_K_per_min, 12, 1e-9);
  EXPECT_TRUE(make_curve(run, 0, {}).warnings.empty());  // exotherm up as given: not "assumed"
  std::vector<double> bad = hf;
  bad[7] = std::nan("");
  EXPECT_EQ(input_error([&] { dsc_run_from_arrays("arrays", t, T, bad, HeatFlowUnit::mW); }),
            "arrays: index 7: heat flow nan is not a finite number");
  bad = T;
  bad[3] = -5;
  EXPECT_EQ(input_error([&] { dsc_run_from_arrays("arrays", t, bad, hf, HeatFlowUnit::mW); }),
            "arrays: index 3: temperature -5 is at or below 0 K (wrong unit in the header?)");
  const std::vector<double> back(t.rbegin(), t.rend());
  EXPECT_EQ(input_error([&] { dsc_run_from_arrays("arrays", back, T, hf, HeatFlowUnit::mW); }).rfind(
                "arrays: index 1: time 198 s is before the previous row's 199 s; time must run forward", 0),
            0u);
  EXPECT_EQ(input_error([&] { dsc_run_from_arrays("arrays", t, T, {1, 2}, HeatFlowUnit::mW); }),
            "arrays: 200 times, 200 temperatures and 2 heat-flow values: they must be as many");
  const std::vector<double> cooling(T.rbegin(), T.rend());
  const DscRun cools = dsc_run_from_arrays("arrays", t, cooling, hf, HeatFlowUnit::mW);
  EXPECT_EQ(input_error([&] { require_heating_segments(cools); }),
            "arrays: no heating segment in the data (indices 0-199: cooling indices 0-199)");
}

// --mass and --rate were checked by the command only: Python's dsc_transitions took a rate of
// -5 K/min (a negative delta_cp) and a mass of 1e9 mg.
TEST(DscReaders, MassAndRateOverridesFollowOneRule) {
  CurveOptions o;
  EXPECT_EQ(o.check(), "");
  for (double mass : {-10.0, 0.0, 1e9, std::nan("")}) {
    o.mass_mg = mass;
    EXPECT_EQ(o.check().rfind("--mass (CurveOptions.mass_mg) must lie within 1 ug to 100 g (0.001 to 100000 mg), got ",
                              0),
              0u)
        << mass;
  }
  o.mass_mg.reset();
  for (double rate : {-5.0, 0.0, 1e8}) {
    o.rate_K_per_min = rate;
    EXPECT_EQ(o.check().rfind("--rate (CurveOptions.rate_K_per_min) must lie within 0.001 to 1e7 K/min, got ", 0), 0u)
        << rate;
  }
  std::vector<double> t, T, hf;
  for (int i = 0; i < 200; ++i) t.push_back(i), T.push_back(400 + 0.2 * i), hf.push_back(1);
  const DscRun run = dsc_run_from_arrays("arrays", t, T, hf, HeatFlowUnit::mW);
  EXPECT_THROW(make_curve(run, 0, o), std::invalid_argument);
}

TEST(DscReaders, MissingColumnOrUnitIsAnError) {
  const std::string m = input_error([] { read_dsc(decode_text("m.csv", "T_C,t_min\n1,2\n")); });
  EXPECT_NE(m.find("m.csv"), std::string::npos) << m;
  EXPECT_NE(m.find("heat-flow"), std::string::npos) << m;
  const std::string u = input_error([] { read_dsc(decode_text("u.csv", "T,t_min,HF_mW\n1,2,3\n")); });
  EXPECT_NE(u.find("has no unit"), std::string::npos) << u;
  const std::string v = input_error([] { read_dsc(decode_text("v.csv", "T_F,t_min,HF_mW\n1,2,3\n")); });
  EXPECT_NE(v.find("not a temperature unit"), std::string::npos) << v;
  const std::string raw = input_error([] {
    read_dsc(decode_text("r.txt", "#EXO:1\n##Temp./\xB0" "C;Time/min;DSC/(uV)\n1;2;3\n"));
  });
  EXPECT_NE(raw.find("uncalibrated"), std::string::npos) << raw;
  const std::string trunc = input_error([] { read_dsc(decode_text("t.csv", "T_K,t_s,HF_mW\n300,0,1\n301,1\n")); });
  EXPECT_NE(trunc.find("line 3"), std::string::npos) << trunc;
}

// A heating ramp under `header` (time, then each temperature column, then heat flow): the sample
// reads 100 degC + 10 K/min, the reference 1.5 K below it, the program 3 K above, "other" 7 K below.
std::string two_temperature_csv(const std::string& header, const std::vector<double>& offsets_K) {
  std::ostringstream s;
  s << header << '\n';
  for (int i = 0; i <= 100; ++i) {
    s << i * 0.05;
    for (const double off : offsets_K) s << ',' << 100 + 0.5 * i + off;
    s << ",0.1\n";
  }
  return s.str();
}

// Among several temperature columns the first was read: the reference's ("Temperature Reference"
// before "Temperature Sample") put the melting 1.5 K low, the program's 3 K high, with no word.
TEST(DscReaders, TheSampleTemperatureColumnIsReadAmongSeveral) {
  const double T0 = 100 + 273.15;
  struct Case {
    const char* header;
    std::vector<double> offsets;  // per temperature column; the sample's is 0
    const char* used;
    std::size_t others;
  };
  const Case cases[] = {
      {"Time (min),Temperature Reference (\xC2\xB0"
       "C),Temperature Sample (\xC2\xB0"
       "C),Heat Flow (mW)",
       {-1.5, 0},
       "Temperature Sample (\xC2\xB0"
       "C)",
       1},
      {"Time (min),Temp. Program (\xC2\xB0"
       "C),Temp. Sample (\xC2\xB0"
       "C),Heat Flow (mW)",
       {3, 0},
       "Temp. Sample (\xC2\xB0"
       "C)",
       1},
      {"Time (min),Temperature (\xC2\xB0"
       "C),Sample Temperature (\xC2\xB0"
       "C),Heat Flow (mW)",
       {3, 0},
       "Sample Temperature (\xC2\xB0"
       "C)",
       1},
      {"Time (min),Program Temperature (C),Reference Temperature (C),Sample Temperature (C),Heat Flow (mW)",
       {3, -1.5, 0},
       "Sample Temperature (C)",
       2},
      {"Time (min),Tr (C),Ts (C),Heat Flow (mW)", {-1.5, 0}, "Ts (C)", 1},
      {"Time (min),T_ref (C),T_sample (C),Heat Flow (mW)", {-1.5, 0}, "T_sample (C)", 1},
      // None names the sample, but the program's never wins over a plain one.
      {"Time (min),Program Temperature (C),Temperature (C),Heat Flow (mW)", {3, 0}, "Temperature (C)", 1},
      // A difference is a signal, not a second temperature.
      {"Time (min),Temperature (C),Temperature Difference (C),Heat Flow (mW)", {0, -400}, "Temperature (C)", 0},
      {"T_C,t_min,HF_mW", {}, "T_C", 0},
  };
  for (const Case& c : cases) {
    std::string text;
    if (c.offsets.empty()) {
      std::ostringstream s;
      s << c.header << '\n';
      for (int i = 0; i <= 100; ++i) s << 100 + 0.5 * i << ',' << i * 0.05 << ",0.1\n";
      text = s.str();
    } else {
      text = two_temperature_csv(c.header, c.offsets);
    }
    const DscRun run = read_dsc(decode_text("several.csv", text));
    EXPECT_NEAR(run.temperature_K[0], T0, 1e-9) << c.header;
    EXPECT_EQ(run.temperature_column.label, c.used) << c.header;
    EXPECT_EQ(run.temperature_column.others.size(), c.others) << c.header;
  }
}

// Two temperature columns, none naming the sample: which one is the sample's cannot be told, so the
// reader refuses, naming them and the option; the option then picks one (by label or by name).
TEST(DscReaders, SeveralTemperatureColumnsNoneTheSamplesNeedTheOption) {
  const std::string text = two_temperature_csv("Time (min),Temperature (C),Temperature 2 (C),Heat Flow (mW)", {0, -7});
  const std::string m = input_error([&] { read_dsc(decode_text("two.csv", text)); });
  EXPECT_NE(m.find("two.csv: line 1: temperature columns 'Temperature (C)', 'Temperature 2 (C)'"), std::string::npos)
      << m;
  EXPECT_NE(m.find("--temperature-column"), std::string::npos) << m;
  const DscRun by_label = read_dsc(decode_text("two.csv", text), {"Temperature 2 (C)"});
  EXPECT_NEAR(by_label.temperature_K[0], 100 - 7 + 273.15, 1e-9);
  EXPECT_EQ(by_label.temperature_column.why, "--temperature-column");
  EXPECT_EQ(by_label.temperature_column.others, std::vector<std::string>{"Temperature (C)"});
  const DscRun by_name = read_dsc(decode_text("two.csv", text), {"Temperature"});
  EXPECT_NEAR(by_name.temperature_K[0], 100 + 273.15, 1e-9);
  // The option overrides the rule, even against the sample's column.
  const std::string ref =
      two_temperature_csv("Time (min),Reference Temperature (C),Sample Temperature (C),HF (mW)", {-1.5, 0});
  EXPECT_NEAR(read_dsc(decode_text("r.csv", ref), {"Reference Temperature"}).temperature_K[0], 100 - 1.5 + 273.15,
              1e-9);
  // A name without its unit that two labels share is refused; the whole label picks one.
  const std::string same = two_temperature_csv("Time (min),Temperature (C),Temperature (F),HF (mW)", {0, 0});
  const std::string both = input_error([&] { read_dsc(decode_text("same.csv", same), {"Temperature"}); });
  EXPECT_NE(both.find("--temperature-column 'Temperature' names 'Temperature (C)', 'Temperature (F)': give the "
                      "whole label, unit included"),
            std::string::npos)
      << both;
  EXPECT_NEAR(read_dsc(decode_text("same.csv", same), {"Temperature (C)"}).temperature_K[0], 100 + 273.15, 1e-9);
  const std::string none = input_error([&] { read_dsc(decode_text("two.csv", text), {"Tsample"}); });
  EXPECT_NE(none.find("two.csv: line 1: no column named 'Tsample' (--temperature-column)"), std::string::npos) << none;
  // Only the reference's and the program's: neither is taken for the sample's without the option.
  const std::string other =
      two_temperature_csv("Time (min),Reference Temperature (C),Program Temperature (C),HF (mW)", {-1.5, 3});
  const std::string o = input_error([&] { read_dsc(decode_text("o.csv", other)); });
  EXPECT_NE(o.find("none the sample; name the one to read with --temperature-column"), std::string::npos) << o;
}

TEST(DscReaders, NoHeatingSegmentIsAnError) {
  std::ostringstream s;
  s << "T_K,t_s,HF_mW\n";
  for (int i = 0; i < 100; ++i) s << 600 - 0.2 * i << ',' << i << ",1.0\n";
  const DscRun run = read_dsc(decode_text("cool.csv", s.str()));
  EXPECT_TRUE(heating_segments(run).empty());
  const std::string m = input_error([&] { require_heating_segments(run); });
  EXPECT_NE(m.find("cool.csv"), std::string::npos) << m;
  EXPECT_NE(m.find("no heating segment"), std::string::npos) << m;
  EXPECT_NE(m.find("lines 2-101"), std::string::npos) << m;
}

// One bad reading amid good ones was accepted: a temperature of 500 degC at line 6131 of the
// eicosane file (amid 36.1 degC rows of a 1 K/min scan) lost the 283 J/g melting and made a
// crystallisation peak at 773.15 K; a heat flow of -5000 mW at line 3031 a melting of 305.9 J/g.
TEST(DscReaders, RefusesAnIsolatedBadReading) {
  MGSCOPE_SHARED_OR_SKIP(path, "dsc/pkynetics_TA_UniversalAnalysis_eicosane.txt");
  // Line 6131 reads 245.7562, 36.09584, -18.19517; its neighbours 36.09134 and 36.10266 degC.
  const std::string T = input_error([&] { read_dsc(decode_text("Tspike.txt", with_field(path, 6131, 1, "500"))); });
  EXPECT_EQ(T.rfind("Tspike.txt: line 6131: temperature 500 \xC2\xB0"
                    "C jumps 464 K away from its neighbours (36.097 "
                    "\xC2\xB0"
                    "C) and back",
                    0),
            0u)
      << T;
  // The sample's temperature lags while it melts: 0.498 K/min around this row of a 1 K/min scan.
  EXPECT_NE(T.find("here the scan moves 0.498 K/min, 0.00474 K a row"), std::string::npos) << T;
  EXPECT_NE(T.find("no row may leave both neighbours by more than 1 K"), std::string::npos) << T;
  // Line 3031 reads -10.50376 mW between -10.50376 and -10.50370: the jump is 4989.4963 mW.
  const std::string hf = input_error([&] { read_dsc(decode_text("HFspike.txt", with_field(path, 3031, 2, "-5000"))); });
  EXPECT_EQ(hf.rfind("HFspike.txt: line 3031: heat flow -5000 mW jumps 4989 mW away from its neighbours (-10.5037 "
                     "mW), which agree with each other",
                     0),
            0u)
      << hf;
  // The real file itself, sharp melting and all, passes.
  EXPECT_NO_THROW(read_dsc(path));
}

// Generated truth: a crystallisation peak as sharp as the sampling allows (sigma 0.5 K at 20 K/min,
// one row every 1 s = 0.33 K: the peak spans ~6 rows, its tip leaves both neighbours by 20 % of its
// 133 mW height) is read and measured; the same file with one heat flow of -500 mW on the baseline
// (~-0.5 mW) of the reference heating is refused, naming that row.
TEST(DscReaders, KeepsASharpRealPeakAndRefusesASpikeInGeneratedData) {
  DscSynthParams p;
  p.tx_sigma_K = 0.5;
  const std::string text = write_dsc_generic_csv(generate_dsc(p), p);
  const DscRun run = read_dsc(decode_text("sharp.csv", text));
  const DscCurve c = make_curve(run, heating_segments(run).at(1), {});
  const TransitionResult r = analyse_transitions(c, {});
  ASSERT_TRUE(r.crystallisation.found) << r.crystallisation.message;
  EXPECT_NEAR(r.crystallisation.peak_K, p.tx_peak_K, 0.5);
  EXPECT_NEAR(r.crystallisation.enthalpy, p.dH_x_J_per_g, 0.03 * p.dH_x_J_per_g);
  // Line 1500 of the file (reference heating, ~434 K: baseline) gets the spike.
  std::vector<std::string> lines;
  for (std::size_t a = 0, b; a < text.size(); a = b + 1) lines.push_back(text.substr(a, (b = text.find('\n', a)) - a));
  std::string& row = lines.at(1499);
  const auto comma = row.find(',', row.find(',') + 1);  // T_K,t_s,HF_mW,segment
  const auto end = row.find(',', comma + 1);
  row = row.substr(0, comma + 1) + "-500" + row.substr(end);
  std::string spiked;
  for (const auto& l : lines) spiked += l + '\n';
  const std::string m = input_error([&] { read_dsc(decode_text("spiked.csv", spiked)); });
  EXPECT_EQ(m.rfind("spiked.csv: line 1500: heat flow -500 mW jumps ", 0), 0u) << m;
}

// The TA export's degree sign, byte 0xF8 (DOS code page), read as Latin-1 "ø": error messages and
// summary.json said "Temperature (øC)".
TEST(DscReaders, DosDegreeSignReadsAsDegree) {
  const std::string deg = "\xC2\xB0";
  EXPECT_EQ(dsc_label_text("Temperature (\xC3\xB8"
                           "C)"),
            "Temperature (" + deg + "C)");
  EXPECT_EQ(dsc_label_text("T (\xC3\x83\xC2\xB8"
                           "F)"),
            "T (" + deg + "F)");  // decoded twice
  EXPECT_EQ(dsc_label_text("Heat Flow (mW)"), "Heat Flow (mW)");
  // "Â°C": a UTF-8 "°" read as Latin-1 and re-encoded; the unit was refused as not a temperature.
  EXPECT_EQ(dsc_label_text("Temperature (\xC3\x82\xC2\xB0"
                           "C)"),
            "Temperature (" + deg + "C)");
  EXPECT_EQ(dsc_label_text("\xC3\x82\xC2\xB0"), "\xC3\x82\xC2\xB0");  // not before C/F/K: kept
  const DscRun moj = read_dsc(decode_text("moj.csv",
                                          "Temperature (\xC3\x82\xC2\xB0"
                                          "C),t_s,HF_mW\n100,0,1\n101,6,1\n102,12,1\n"));
  EXPECT_NEAR(moj.temperature_K[0], 373.15, 1e-9);
  EXPECT_EQ(moj.temperature_column.label, "Temperature (" + deg + "C)");
  EXPECT_EQ(dsc_label_text("St\xC3\xB8rrelse (\xC3\xB8)"), "St\xC3\xB8rrelse (\xC3\xB8)");  // not before C/F/K
  MGSCOPE_SHARED_OR_SKIP(path, "dsc/pkynetics_TA_UniversalAnalysis_eicosane.txt");
  // Line 25 of the real file: "Sig2<TAB>Temperature (" 0xF8 "C)"; line 5031 given a NaN temperature.
  const std::string m = input_error([&] { read_dsc(decode_text("nan.txt", with_field(path, 5031, 1, "NaN"))); });
  EXPECT_NE(m.find("nan.txt: line 5031, column 'Temperature (" + deg + "C)'"), std::string::npos) << m;
  EXPECT_EQ(m.find("\xC3\xB8"), std::string::npos) << m;
}

// At 0.1 rows/K a melting peak (40 J/g, sigma 4 K, at 800 K, 20 K/min) is three rows: the tip
// (-1.46 W/g) and two neighbours that agree with each other (-0.188 W/g) but have left the
// baseline (-0.130 W/g) by 740 median steps. It was refused as "a bad reading" at the tip; it is
// read now, and the same file with one row of -5 W/g on its baseline is still refused.
TEST(DscReaders, AMeltingPeakOfThreeCoarseRowsIsNoBadReading) {
  std::string text = "# mass_mg: 10\n# exotherm: up\nT_K,t_s,HF_W_per_g\n";
  const double q = 20.0 / 60;
  for (int i = 0; i <= 46; ++i) {
    const double T = 400 + 10 * i;
    const double melt = 40 * q * std::exp(-0.5 * std::pow((T - 800) / 4, 2)) / (4 * std::sqrt(2 * 3.141592653589793));
    text += std::to_string(T) + "," + std::to_string((T - 400) / q) + "," +
            std::to_string(-0.13 + 1e-5 * (i % 3) - melt) + "\n";
  }
  const DscRun run = read_dsc(decode_text("coarse.csv", text));
  EXPECT_EQ(run.temperature_K.size(), 47u);
  std::string spiked = text;
  const std::string row = std::to_string(500.0) + ",";
  const auto at = spiked.find(row);
  ASSERT_NE(at, std::string::npos);
  const auto hf = spiked.find(',', at + row.size());
  spiked = spiked.substr(0, hf + 1) + "-5" + spiked.substr(spiked.find('\n', hf));
  const std::string m = input_error([&] { read_dsc(decode_text("spiked.csv", spiked)); });
  EXPECT_EQ(m.rfind("spiked.csv: line 14: heat flow -5 W/g jumps ", 0), 0u) << m;
}

// Two heatings at 20 K/min written one after the other, no segment column and no cooling rows
// (400-637 K, then 400-700 K, one row a second): read as one heating at 10.8 K/min (delta_cp
// +103 %), no warning. The drop of 237 K in one row now starts a new segment, and says so.
TEST(DscReaders, ATemperatureDropInOneRowStartsANewSegmentWithAWarning) {
  std::string text = "# mass_mg: 10\n# exotherm: up\nT_K,t_s,HF_W_per_g\n";
  double t = 0;
  for (const double end_K : {637.0, 700.0})
    for (double T = 400; T <= end_K + 1e-9; T += 1.0 / 3, t += 1)
      text += std::to_string(T) + "," + std::to_string(t) + ",-0.1\n";
  const DscRun run = read_dsc(decode_text("two.csv", text));
  const auto heating = heating_segments(run);
  ASSERT_EQ(heating.size(), 2u) << describe_segments(run);
  for (const std::size_t h : heating) EXPECT_NEAR(run.segments[h].rate_K_per_min, 20.0, 0.01);
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_EQ(run.warnings[0].rfind("the temperature drops from 637 K to 400 K at line 716 in one row", 0), 0u)
      << run.warnings[0];
  // A cooling ramp at the same rate (1/3 K a row) is no drop.
  std::string cool = "# mass_mg: 10\n# exotherm: up\nT_K,t_s,HF_W_per_g\n";
  for (int i = 0; i <= 600; ++i) cool += std::to_string(600 - i / 3.0) + "," + std::to_string(i) + ",-0.1\n";
  EXPECT_TRUE(read_dsc(decode_text("cool.csv", cool)).warnings.empty());
}

}  // namespace mgscope
