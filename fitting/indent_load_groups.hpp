// Indents made at several loads (or depths), grouped by their target, and whether hardness and
// modulus change between the shallowest and the deepest group. A depth series (300 nm to 2 um on
// one sample, as NanoTest "multiple indentation" runs are) averaged into one mean mixes depths: on
// the real series of ../shared/data/indent the mean H was 12.7 +- 4.3 GPa over groups from 22.8 to
// 9.6 GPa, said as if it were one number. The modulus is the sharper test: a sample's E does not
// depend on depth, so an E that does points at the tip's area function or the frame compliance
// (that series: 107 GPa at 182 nm against 55 GPa at 1.3 um under the ideal Berkovich area).
#pragma once
#include <string>
#include <vector>

#include "fitting/base/statistics.hpp"

namespace mgscope {

// One analysed indent: what the grouping and the trend read.
struct IndentNumbers {
  double max_load_mN = 0, max_depth_nm = 0, contact_depth_nm = 0;
  double hardness_GPa = 0, reduced_modulus_GPa = 0, modulus_GPa = 0;
};

struct LoadGroup {
  std::vector<int> indents;                                        // positions in the caller's list, by rising load
  double max_load_mN = 0, max_depth_nm = 0, contact_depth_nm = 0;  // means
  MeanSd hardness_GPa, reduced_modulus_GPa, modulus_GPa;
};

struct DepthTrend {
  bool checked = false;
  std::string not_checked;      // why not, when there are groups but no test was possible
  int shallow = -1, deep = -1;  // the groups compared (of those with 2 indents or more)
  // Relative change of the group means, shallow over deep minus 1 (NaN where a group has under two
  // values of it), and its size in standard errors of the difference (sd / sqrt(n) of each group).
  double hardness_change = 0, hardness_z = 0;
  double modulus_change = 0, modulus_z = 0;
  // A change is reported when it is at least this large and at least kMinZ standard errors.
  static constexpr double kMinChange = 0.10;
  static constexpr double kMinZ = 3.0;
  static constexpr double kMinDepthRatio = 1.3;  // the deep group's contact depth over the shallow one's
};

struct LoadGroups {
  std::vector<LoadGroup> groups;  // one: every indent at one target (nothing to compare)
  DepthTrend trend;
  std::vector<std::string> modulus_warnings;   // doubt H, Er and E (the area function)
  std::vector<std::string> hardness_warnings;  // doubt the mean H only (it mixes depths)
};

// The groups of indents made at one target (positions into the lists, each group by rising load,
// the groups by rising load): sorted by maximum load, a new group starts where the load rises by
// more than 15 % from the indent before; adjacent groups whose mean maximum depths lie within 5 %
// of each other are one target and are merged (a depth-controlled grid on an uneven sample spreads
// its loads but stops each indent at the same depth; loads 15 % apart give depths about 7 % apart).
std::vector<std::vector<int>> group_by_target(const std::vector<double>& max_load_mN,
                                              const std::vector<double>& max_depth_nm);

// "" when the curves' `groups` (group_by_target of their hold loads and depths) are one, else the
// doubt of a mean over them: "the curves were held at 8 loads (18.3 to 421 mN, 4 to 5 curves each):
// ..." (creep: a glass's creep under a sharp tip depends on the load it is held at).
std::string mixed_loads_warning(const std::vector<double>& hold_load_mN, const std::vector<std::vector<int>>& groups);

// The indents grouped by target (group_by_target) with each group's means. The trend compares the
// shallowest and the deepest group of at least two indents each, when their contact depths differ
// by kMinDepthRatio or more. `area_function` names the area function in use for the warning
// (AreaFunction::formula(): "A = 24.5 h_c^2, the ideal Berkovich").
LoadGroups group_by_load(const std::vector<IndentNumbers>& indents, const std::string& area_function);

}  // namespace mgscope
