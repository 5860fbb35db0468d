// The critical-behaviour results as JSON and CSV, in the stable layout of the other mce outputs.
#include "pipelines/mce_critical_output.hpp"

#include <cmath>
#include <sstream>

#include "magnetics/entropy_change.hpp"
#include "pipelines/csv_format.hpp"
#include "pipelines/json_output.hpp"

namespace mgscope {

using nlohmann::json;

namespace {

json estimate(double value, double se) { return {{"value", json_number(value)}, {"se", json_number(se)}}; }

json power_law_json(const CriticalPowerLaw& p) {
  return {{"usable", p.usable()},
          {"message", p.message},
          {"exponent", json_number(p.exponent)},
          {"exponent_se", json_number(p.exponent_se)},
          {"Tc_K", json_number(p.tc_K)},
          {"Tc_se_K", json_number(p.tc_se_K)},
          {"amplitude", json_number(p.amplitude)},
          {"rms_ln_residual", json_number(p.rms_ln)},
          {"T_K", p.temperature_K}};
}

json kouvel_fisher_json(const KouvelFisherLine& k) {
  return {{"usable", k.usable()},
          {"message", k.message},
          {"exponent", json_number(k.exponent)},
          {"exponent_se", json_number(k.exponent_se)},
          {"Tc_K", json_number(k.tc_K)},
          {"Tc_se_K", json_number(k.tc_se_K)},
          {"slope_per_K", json_number(k.slope)},
          {"intercept_K", json_number(k.intercept_K)},
          {"T_K", k.temperature_K}};
}

std::string critical_number(double v) { return csv_number(v, 10); }

}  // namespace

json critical_json(const CriticalSummary& s, const ScalingCollapse& sc, const PowerLawFit& n,
                   const CriticalOptions& o) {
  json classes = json::array();
  for (const auto& c : s.classes) classes.push_back({{"name", c.name}, {"distance", json_number(c.distance)}});
  const auto& ci = s.critical_isotherm;
  const auto& eos = s.equation_of_state;
  const bool ok = s.usable();
  return {
      {"status", to_string(s.status)},
      {"message", s.message},
      {"brief", s.brief_report()},
      {"method",
       "self-consistent modified Arrott plot: (H/M)^(1/gamma) = a t + a2 t^2 + (b + b1 t) M^(1/beta) fitted "
       "to the isotherms with |t| <= " +
           csv_number(o.reduced_t_max, 6) + " (at least " + std::to_string(o.min_points_per_side) +
           " each side of Tc); delta from the critical isotherm; "
           "uncertainties combine the fit standard error with half the difference to Kouvel-Fisher (delta: to Widom)"},
      {"beta", ok ? estimate(s.beta, s.beta_se) : json()},
      {"gamma", ok ? estimate(s.gamma, s.gamma_se) : json()},
      {"delta", ok ? estimate(s.delta, s.delta_se) : json()},
      {"Tc_K", ok ? estimate(s.tc_K, s.tc_se_K) : json()},
      {"delta_widom", ok ? estimate(s.delta_widom, s.delta_widom_se) : json()},
      // A class farther than kNearClassDistance is no verdict: the report shows this text as it is.
      {"nearest_model", ok && !s.classes.empty()
                            ? json(s.class_near ? s.classes.front().name
                                                : "no universality class near (nearest " + s.classes.front().name + ")")
                            : json()},
      {"nearest_model_is_near", ok && !s.classes.empty() ? json(s.class_near) : json()},
      {"Tc_first_arrott_K", ok ? json_number(s.tc_first_K) : json()},
      {"nearest_model_distance", ok && !s.classes.empty() ? json_number(s.classes.front().distance) : json()},
      {"models", classes},
      {"passes", s.passes},
      {"converged", s.converged},
      {"equation_of_state",
       {{"usable", eos.usable()},
        {"message", eos.message},
        {"beta", json_number(eos.beta)},
        {"beta_se", json_number(eos.beta_se)},
        {"gamma", json_number(eos.gamma)},
        {"gamma_se", json_number(eos.gamma_se)},
        {"Tc_K", json_number(eos.tc_K)},
        {"Tc_se_K", json_number(eos.tc_se_K)},
        {"a", json_number(eos.a)},
        {"a2", json_number(eos.a2)},
        {"b", json_number(eos.b)},
        {"b1", json_number(eos.b1)},
        {"rms_relative_residual", json_number(eos.rms_relative)},
        {"points", eos.points},
        {"iterations", eos.iterations},
        {"isotherms_T_K", s.fitted_T_K}}},
      {"modified_arrott",
       {{"spontaneous_magnetization", power_law_json(s.spontaneous)},
        {"inverse_susceptibility", power_law_json(s.susceptibility)},
        {"field_fraction", o.field_fraction},
        {"reduced_t_range", {o.reduced_t_min, o.reduced_t_max}},
        {"min_points_per_side", o.min_points_per_side}}},
      {"kouvel_fisher",
       {{"spontaneous_magnetization", kouvel_fisher_json(s.kouvel_fisher_spontaneous)},
        {"inverse_susceptibility", kouvel_fisher_json(s.kouvel_fisher_susceptibility)}}},
      {"critical_isotherm",
       {{"usable", ci.usable()},
        {"message", ci.message},
        {"T_K", json_number(ci.temperature_K)},
        {"between_isotherms_K", {json_number(ci.lower_T_K), json_number(ci.upper_T_K)}},
        {"field_from_Oe", json_number(ci.field_from_Oe)},
        {"points", ci.points},
        {"delta", json_number(ci.delta)},
        {"delta_se", json_number(ci.delta_se)}}},
      {"field_exponent_at_Tc",
       {{"expected", ok ? json_number(s.n_at_tc_expected) : json()},
        {"formula", "1 + (beta - 1)/(beta + gamma)"},
        {"measured", n.usable() ? json_number(n.exponent) : json()},
        {"measured_se", n.usable() ? json_number(n.exponent_se) : json()},
        {"measured_points", n.n_points},
        {"measured_message", n.message}}},
      {"scaling",
       {{"usable", sc.usable()},
        {"message", sc.message},
        {"rms_ln_deviation", json_number(sc.rms_ln_deviation)},
        {"rms_ln_deviation_below_Tc", json_number(sc.rms_ln_deviation_below)},
        {"rms_ln_deviation_above_Tc", json_number(sc.rms_ln_deviation_above)},
        {"rms_ln_deviation_mean_field_exponents", json_number(sc.rms_ln_deviation_mean_field)},
        {"comparisons", sc.comparisons},
        {"isotherms", sc.isotherms.size()},
        {"warnings", sc.warnings}}},
      {"demag_N_SI", o.demag_N},
      {"warnings", s.warnings}};
}

json universal_curve_json(const UniversalCurve& u, const UniversalCurveOptions& o) {
  json fields = json::array();
  for (const auto& f : u.fields)
    fields.push_back({{"mu0H_T", f.field_Oe * 1e-4},
                      {"minus_dSm_peak", json_number(f.peak)},
                      {"Tp_K", json_number(f.tp_K)},
                      {"Tr1_K", json_number(f.tr1_K)},
                      {"Tr2_K", json_number(f.tr2_K)}});
  return {{"status", to_string(u.status)},
          {"message", u.message},
          {"verdict", u.usable() ? json(u.verdict) : json()},
          {"collapses", u.usable() ? json(u.collapses) : json()},
          {"rms_spread", u.usable() ? json_number(u.rms_spread) : json()},
          {"max_spread", u.usable() ? json_number(u.max_spread) : json()},
          {"max_spread_allowed", o.max_spread},
          {"theta_range", {json_number(u.theta_low), json_number(u.theta_high)}},
          {"field_fraction", o.field_fraction},
          {"fields", fields},
          {"table", "universal_curve.csv"},
          {"warnings", u.warnings}};
}

std::string critical_csv(const CriticalSummary& s, const std::string& m_unit) {
  std::ostringstream o;
  const std::string mu = m_unit == "emu/g" ? "emu_per_g" : "emu";
  o << "T_K,map_slope,map_intercept,Ms_" << mu << ",inverse_chi0_Oe_per_" << mu
    << ",in_self_consistent_fit,in_Ms_fit,in_chi0_fit,kouvel_fisher_K,warnings\n";
  // Every row's line is drawn at the fitted exponents, and its Ms and chi0^-1 feed them back: the
  // exponents' doubts are each row's.
  const std::string doubts = csv_list(s.warnings);
  auto in = [](const std::vector<double>& v, double t) {
    for (double x : v)
      if (std::abs(x - t) < 1e-9) return true;
    return false;
  };
  auto kf = [&](double t) {
    for (const auto* k : {&s.kouvel_fisher_spontaneous, &s.kouvel_fisher_susceptibility})
      for (std::size_t i = 0; i < k->temperature_K.size(); ++i)
        if (std::abs(k->temperature_K[i] - t) < 1e-9) return k->ratio_K[i];
    return std::nan("");
  };
  for (const auto& l : s.lines) {
    const double t = l.temperature_K;
    o << critical_number(t) << ',' << (l.has_fit ? critical_number(l.slope) : "") << ','
      << (l.has_fit ? critical_number(l.intercept) : "") << ',' << critical_number(l.spontaneous_m) << ','
      << critical_number(l.inverse_susceptibility) << ',' << in(s.fitted_T_K, t) << ','
      << in(s.spontaneous.temperature_K, t) << ',' << in(s.susceptibility.temperature_K, t) << ','
      << critical_number(kf(t)) << ',' << doubts << '\n';
  }
  return o.str();
}

std::string universal_curve_csv(const UniversalCurve& u) {
  std::ostringstream o;
  o << "theta,mean_normalized_minus_dSm,spread_sd";
  for (const auto& f : u.fields) o << ",normalized_at_" << csv_number(f.field_Oe * 1e-4, 8) << "T";
  o << ",warnings\n";
  // The curve's doubts (fields left out, too few fields) hold for every theta. -dSm's own doubt is
  // not repeated: each field's curve is divided by its own peak, and the report leaves it out too.
  const std::string doubts = csv_list(u.warnings);
  for (std::size_t j = 0; j < u.theta_grid.size(); ++j) {
    o << critical_number(u.theta_grid[j]) << ',' << critical_number(u.mean_curve[j]) << ','
      << critical_number(u.spread[j]);
    for (const auto& f : u.fields)
      o << ',' << critical_number(interpolate_linear(f.theta, f.normalized, u.theta_grid[j]));
    o << ',' << doubts << '\n';
  }
  return o.str();
}

}  // namespace mgscope
