// What `mgscope dsc` writes: dsc.csv (a row per heating scan), constructions.json, summary.json,
// per-sample figures with every construction drawn, and the treatment series (Fig. 1d).
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"
#include "fitting/dsc_relaxation.hpp"
#include "fitting/dsc_uncertainty.hpp"
#include "pipelines/batch.hpp"
#include "pipelines/gnuplot_figure.hpp"

namespace mgscope {

struct DscScanReport {
  DscCurve curve;
  TransitionResult transitions;
  TransitionUncertainty uncertainty;  // of its Tg and Tx: the noise's and the settings'
  int heating_number = 0;  // 1-based among the file's heating segments
  std::string role;        // "first", "reference" or "other"
  std::vector<std::string> warnings;  // its own doubts, "heating N: ...": its dsc.csv row's
};

struct DscSampleReport {
  std::string path;
  std::string stem;  // unique among the inputs; names the figure
  std::string sample;
  std::string format;
  DscTemperatureColumn temperature_column;  // the column read, the others, why
  std::string exotherm;  // direction used: "up (file)", "down (file)", "up (assumed)", "... (option)"
  std::optional<double> treatment;
  std::vector<DscScanReport> scans;  // the file's heating scans
  int first = -1;                    // index into scans
  std::optional<DscScanReport> reference;  // copy of the reference scan (this file's or another's)
  std::string reference_path;
  std::optional<RelaxationResult> relaxation;
  std::vector<std::string> warnings;  // every doubt (terminal, summary.json)
  // For the dsc.csv rows: the file's doubts go on every row, dH_rel's (its own and the reference
  // heating's) on the first heating's row only.
  std::vector<std::string> file_warnings, relaxation_warnings;

  // The crystallisation of the sample: the first heating's if it has one, else the reference's.
  const Peak* crystallisation() const;
  // The scan that crystallisation() comes from (nullptr when none crystallises).
  const DscScanReport* crystallisation_scan() const;
};

// The doubts that bear on each of a sample's headline numbers, each once: the file's, and those of
// the heating(s) the number comes from. Tg: the first heating; Tx, its peak, dH_x and dTx: the
// heating crystallisation() comes from, or, with none found, every heating searched; dH_rel: both
// heatings and the relaxation's own. A heating of another file is named ("reference FILE: ...").
struct DscNumberDoubts {
  std::vector<std::string> tg, tx, dtx, dh_x, dh_rel, tm;
};
DscNumberDoubts dsc_number_doubts(const DscSampleReport& sample);

// Why a sample has no Tx: each heating searched with what its search said ("heating 1: no exotherm
// above Tg; heating 2: the scan ends at ..."); "" when it has one.
std::string dsc_no_tx_message(const DscSampleReport& sample);

// A row per heating scan, then a row per input that failed (status Failure, the error as its
// message, no numbers), as hardness.csv and creep.csv list theirs.
std::string dsc_scans_csv(const std::vector<DscSampleReport>& samples, const std::vector<BatchFailure>& failures = {});
nlohmann::json dsc_constructions_json(const std::vector<DscSampleReport>& samples);
nlohmann::json dsc_summary_json(const std::vector<DscSampleReport>& samples, const std::string& treatment_name);

// One figure per sample (OUTDIR/<stem>_dsc.png): heating curves with baselines, tangents, onsets,
// peaks and integration limits; below, the first heating against the aligned reference with the
// relaxation window.
GnuplotFigure dsc_figure(const DscSampleReport& sample, const std::filesystem::path& outdir);

// Treatment groups (mean +- sd over the samples sharing a treatment value), CSV, summary.json's
// "treatments" and figure. Each group names the inputs with doubts on the numbers its means rest
// on; the figure rings a doubted mean.
std::string dsc_treatment_csv(const std::vector<DscSampleReport>& samples);
nlohmann::json dsc_treatments_json(const std::vector<DscSampleReport>& samples);
GnuplotFigure dsc_treatment_figure(const std::vector<DscSampleReport>& samples, const std::filesystem::path& outdir,
                                   const std::string& treatment_name);

}  // namespace mgscope
