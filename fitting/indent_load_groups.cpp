#include "fitting/indent_load_groups.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "fitting/base/text_file.hpp"

namespace mgscope {

namespace {

constexpr double kLoadStep = 1.15;   // a new group where the load rises by more than this factor
constexpr double kSameDepth = 1.05;  // adjacent groups this close in maximum depth are one target

LoadGroup summarise(std::vector<int> members, const std::vector<IndentNumbers>& indents) {
  LoadGroup g;
  g.indents = std::move(members);
  std::vector<double> load, depth, contact, H, Er, E;
  for (int i : g.indents) {
    const IndentNumbers& x = indents[std::size_t(i)];
    load.push_back(x.max_load_mN);
    depth.push_back(x.max_depth_nm);
    contact.push_back(x.contact_depth_nm);
    H.push_back(x.hardness_GPa);
    Er.push_back(x.reduced_modulus_GPa);
    E.push_back(x.modulus_GPa);
  }
  g.max_load_mN = mean_sd(load).mean;
  g.max_depth_nm = mean_sd(depth).mean;
  g.contact_depth_nm = mean_sd(contact).mean;
  g.hardness_GPa = mean_sd(H);
  g.reduced_modulus_GPa = mean_sd(Er);
  g.modulus_GPa = mean_sd(E);
  return g;
}

// The difference of two group means in standard errors of the difference (infinite for a
// difference between groups without scatter, as noiseless curves give).
double z_of(const MeanSd& a, const MeanSd& b) {
  const double se = std::sqrt(a.sd * a.sd / a.n + b.sd * b.sd / b.n);
  if (se > 0) return std::abs(a.mean - b.mean) / se;
  return a.mean == b.mean ? 0.0 : std::numeric_limits<double>::infinity();
}

// "22.8 GPa at h_c = 182 nm (18.5 mN, 5 indents)"
std::string at_group(const MeanSd& m, const LoadGroup& g) {
  return number_text(m.mean, 3) + " GPa at h_c = " + number_text(std::round(g.contact_depth_nm), 6) + " nm (" +
         number_text(g.max_load_mN, 3) + " mN, " + std::to_string(g.indents.size()) + " indents)";
}

std::string signed_percent(double change) {
  const double p = std::round(100 * change);
  return (p > 0 ? "+" : "") + number_text(p, 4) + " %";
}

}  // namespace

std::vector<std::vector<int>> group_by_target(const std::vector<double>& max_load_mN,
                                              const std::vector<double>& max_depth_nm) {
  std::vector<int> order(max_load_mN.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return max_load_mN[std::size_t(a)] < max_load_mN[std::size_t(b)]; });
  std::vector<std::vector<int>> parts;
  for (int i : order) {
    if (parts.empty() || max_load_mN[std::size_t(i)] > kLoadStep * max_load_mN[std::size_t(parts.back().back())])
      parts.emplace_back();
    parts.back().push_back(i);
  }
  auto mean_depth = [&](const std::vector<int>& part) {
    double sum = 0;
    for (int i : part) sum += max_depth_nm[std::size_t(i)];
    return sum / double(part.size());
  };
  std::vector<std::vector<int>> groups;
  double last_depth = 0;
  for (std::vector<int>& part : parts) {
    const double depth = mean_depth(part);
    if (!groups.empty() && depth <= kSameDepth * last_depth && last_depth <= kSameDepth * depth) {
      groups.back().insert(groups.back().end(), part.begin(), part.end());
    } else {
      groups.push_back(std::move(part));
    }
    last_depth = mean_depth(groups.back());
  }
  return groups;
}

std::string mixed_loads_warning(const std::vector<double>& hold_load_mN, const std::vector<std::vector<int>>& groups) {
  if (groups.size() < 2) return "";
  std::size_t fewest = hold_load_mN.size(), most = 0;
  for (const std::vector<int>& g : groups) fewest = std::min(fewest, g.size()), most = std::max(most, g.size());
  const auto [lightest, heaviest] = std::minmax_element(hold_load_mN.begin(), hold_load_mN.end());
  return "the curves were held at " + std::to_string(groups.size()) + " loads (" + number_text(*lightest, 3) + " to " +
         number_text(*heaviest, 3) + " mN, " + std::to_string(fewest) +
         (most > fewest ? " to " + std::to_string(most) : "") +
         " curves each): their means mix the loads, and creep under a sharp tip depends on the load it is held "
         "at; give the curves of one load (creep.csv's hold_load_mN)";
}

LoadGroups group_by_load(const std::vector<IndentNumbers>& indents, const std::string& area_function) {
  LoadGroups out;
  std::vector<double> loads, depths;
  for (const IndentNumbers& x : indents) {
    loads.push_back(x.max_load_mN);
    depths.push_back(x.max_depth_nm);
  }
  for (std::vector<int>& members : group_by_target(loads, depths))
    out.groups.push_back(summarise(std::move(members), indents));
  DepthTrend& t = out.trend;
  if (out.groups.size() == 1) t.not_checked = "every indent at one load: no depths to compare";
  if (out.groups.size() < 2) return out;
  for (int k = 0; k < int(out.groups.size()); ++k) {
    const LoadGroup& g = out.groups[std::size_t(k)];
    if (g.indents.size() < 2) continue;
    if (t.shallow < 0 || g.contact_depth_nm < out.groups[std::size_t(t.shallow)].contact_depth_nm) t.shallow = k;
    if (t.deep < 0 || g.contact_depth_nm > out.groups[std::size_t(t.deep)].contact_depth_nm) t.deep = k;
  }
  if (t.shallow < 0 || t.shallow == t.deep) {
    t.shallow = t.deep = -1;
    t.not_checked =
        "fewer than two loads with two indents or more: a change with depth cannot be told from the scatter";
    return out;
  }
  const LoadGroup& s = out.groups[std::size_t(t.shallow)];
  const LoadGroup& d = out.groups[std::size_t(t.deep)];
  if (d.contact_depth_nm < DepthTrend::kMinDepthRatio * s.contact_depth_nm) {
    t.not_checked = "the loads' contact depths differ by less than " + number_text(DepthTrend::kMinDepthRatio, 2) +
                    "x (" + number_text(std::round(s.contact_depth_nm), 6) + " to " +
                    number_text(std::round(d.contact_depth_nm), 6) + " nm)";
    return out;
  }
  t.checked = true;
  // Each quantity on the indents that have it (E is NaN where Er exceeds what the indenter allows):
  // two or more a group, or no change is said.
  auto change = [](const MeanSd& shallow, const MeanSd& deep) {
    return shallow.n >= 2 && deep.n >= 2 && deep.mean > 0 ? shallow.mean / deep.mean - 1 : std::nan("");
  };
  t.hardness_change = change(s.hardness_GPa, d.hardness_GPa);
  t.hardness_z = z_of(s.hardness_GPa, d.hardness_GPa);
  t.modulus_change = change(s.modulus_GPa, d.modulus_GPa);
  t.modulus_z = z_of(s.modulus_GPa, d.modulus_GPa);
  auto changed = [](double change, double z) {
    return std::isfinite(change) && std::abs(change) >= DepthTrend::kMinChange && z >= DepthTrend::kMinZ;
  };
  if (changed(t.modulus_change, t.modulus_z))
    out.modulus_warnings.push_back(
        "E depends on depth: " + at_group(s.modulus_GPa, s) + " against " + at_group(d.modulus_GPa, d) + ", " +
        signed_percent(t.modulus_change) + ". A sample's modulus does not, so the tip's area function (" +
        area_function +
        "; --area-coefficients) or the frame compliance (--frame-compliance-nm-per-mN) is likely off, or the "
        "sample is layered (a film on a substrate): H, Er and E are doubtful");
  if (changed(t.hardness_change, t.hardness_z))
    out.hardness_warnings.push_back(
        "H depends on depth: " + at_group(s.hardness_GPa, s) + " against " + at_group(d.hardness_GPa, d) + ", " +
        signed_percent(t.hardness_change) +
        ": the mean over all indents mixes depths (an indentation size effect, or the tip's area function); "
        "compare samples at one load");
  return out;
}

}  // namespace mgscope
