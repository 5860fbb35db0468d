#include "pipelines/hrtem_batch.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>

#include "fitting/base/error.hpp"
#include "imaging/io/emd_reader.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/figures_preload.hpp"
#include "pipelines/folder_name.hpp"
#include "pipelines/hrtem_image_job.hpp"
#include "pipelines/hrtem_image_record.hpp"
#include "pipelines/hrtem_outputs.hpp"
#include "pipelines/hrtem_series.hpp"
#include "pipelines/output_guard.hpp"
#include "pipelines/spot_calibration_file.hpp"
#include "pipelines/team_batch.hpp"
#include "pipelines/work_team.hpp"

namespace mgscope {

namespace fs = std::filesystem;

namespace {

// Output folder name per image: the file name without extension, or a folder series' own name
// ("frames/" and "." included), made unique within the batch.
std::string folder_name(const std::string& path, std::map<std::string, int>& used) {
  std::error_code ec;
  std::string stem = fs::path(path).stem().string();
  if (fs::is_directory(path, ec)) stem = folder_own_name(path);
  if (stem.empty()) stem = "image";
  const int k = used[stem]++;
  return k == 0 ? stem : stem + "_" + std::to_string(k + 1);
}

// Images a process alone analyses at the same time. Two, sharing the cores, fill the core
// time one image at a time leaves idle (reading, the mask, the PNG encoder: 20 x 2048^2 in 7.0-7.4 s
// one at a time, 5.3-5.8 s as two processes of one thread), at twice the memory: so only for
// files of up to 64 MiB. Never with HDF5 (EMD) inputs: those are read in a forked child process,
// which must not be forked beside running threads.
int images_at_once(const HrtemCli& cli, const WorkTeam& team, bool gather, bool series) {
  if (team.size > 1 || gather || series || cli.images.size() < 2) return 1;
  if (cli.images_at_once == 0 && (cli.threads != 0 || usable_cores() < 2)) return 1;
  for (const std::string& path : cli.images) {
    if (is_emd_file(path)) return 1;
    std::error_code ec;
    const std::uintmax_t bytes = fs::file_size(path, ec);
    if (cli.images_at_once == 0 && !ec && bytes > (std::uintmax_t(64) << 20)) return 1;
  }
  return cli.images_at_once == 0 ? 2 : cli.images_at_once;
}

// The batch's one null calibration, on the first image of the command line (not of a process's
// own share), so that the level is the same whatever the dealing, the shard or the rank count.
// The null's level varies from seed to seed (sd 0.7 on synthetic glass) as much as between images
// of one session (within 0.85 of the first's), so a level reused within the spectrum check is as
// good as an image's own; it saves about a quarter of a 2048^2 image's time (docs/hrtem.md).
// With `save_to`, also written there (--save-threshold; by the leader), and made for one image too.
// Empty, with a note, when the first image cannot be analysed: every image then calibrates its own.
std::optional<SharedThreshold> calibrate_batch_threshold(const std::string& first_image, HrtemSettings first,
                                                         int threads, const WorkTeam& team, bool alone,
                                                         const std::string& save_to) {
  first.area.enabled = false;  // the threshold is all that is kept
  first.options.threshold_only = true;
  // Its draws are not kept: the images that reuse its level draw none, and the batch's memory would
  // hold them all along (38 MB at 1024 px, each page of which a virtual machine fills on first use:
  // ~2 % of a batch of 2048^2 images). An image that calibrates its own keeps them for the next.
  first.options.threshold.draw_cache = nullptr;
  first.options.threads = threads;  // alone: on every core the batch may use
  const std::string saved = save_to.empty() ? "" : " and saved to " + save_to;
  std::optional<HrtemImageRun> run;
  try {
    run = analyse_hrtem_file(first_image, first);
    run->image.pixels.check_source_unchanged();
  } catch (const std::exception& e) {
    if (team.leader())
      std::fprintf(stderr,
                   "NOTE: %s could not be analysed (%s), so the batch's spot threshold was not calibrated on it%s; "
                   "every image calibrates its own threshold\n",
                   first_image.c_str(), e.what(), save_to.empty() ? "" : (" nor saved to " + save_to).c_str());
    return std::nullopt;
  }
  // Outside the try: a calibration asked for and not written fails the command.
  if (!save_to.empty() && team.leader())
    write_spot_calibration(save_to, run->result.threshold, first_image, run->run.pixel_nm(), run->result.grid.box_px,
                           calibration_settings(first.options));
  SharedThreshold shared = share_threshold(
      *run, first_image,
      alone ? "calibrated on " + first_image + saved
            : "calibrated once for the batch on " + first_image + saved +
                  " (--threshold-each-image calibrates every image)",
      kBatchReuseName);
  if (team.leader() && alone)
    std::fprintf(stderr, "NOTE: spot threshold %.6g calibrated on %s%s (--threshold-from %s reuses it)\n",
                 shared.threshold.value, first_image.c_str(), saved.c_str(), save_to.c_str());
  else if (team.leader())
    std::fprintf(stderr,
                 "NOTE: spot threshold %.6g calibrated once for the batch, on %s%s, and reused by the images of the "
                 "same pixel size, box and radial spectrum (the others calibrate their own and say so; "
                 "--threshold-each-image calibrates every image)\n",
                 shared.threshold.value, first_image.c_str(), saved.c_str());
  return shared;
}

// The calibration of a --save-threshold file, shared as the batch's: the images of its pixel size,
// box and radial spectrum take it whole (also the image it was calibrated on, unchecked).
SharedThreshold read_batch_threshold(const std::string& file, const HrtemSettings& settings) {
  SavedCalibration saved = read_spot_calibration(file);
  check_calibration_settings(file, saved, settings.options);
  const std::string origin = "calibrated on " + saved.source + ", read from " + file + " (--threshold-from)";
  return share_saved_calibration(std::move(saved), origin, "the calibration of --threshold-from " + file);
}

// combined.csv is the table of the images of the run that wrote it: a later run into the folder
// that writes none (one image, a series, every image failed) removes it, or it passed for this
// run's table (`hrtem a.tif b.tif -o OUT`, then `hrtem a.tif -o OUT` with other settings, left
// a's old row and b's beside a's new folder). The images' folders stay (they are up to date or not
// by their own records), so running the batch again rebuilds the table without analysing them.
void remove_earlier_combined_csv(const fs::path& out_dir) {
  const fs::path table = out_dir / "combined.csv";
  std::error_code ec;
  if (!fs::is_regular_file(table, ec)) return;
  if (!fs::remove(table, ec)) fail_output(table, "cannot remove the earlier run's combined table", ec.value());
  std::fprintf(stderr,
               "NOTE: %s: removed: it tabled an earlier run's images, and this run writes no combined table "
               "(that batch run again rebuilds it; its images up to date are not analysed again)\n",
               table.string().c_str());
}

// What a shard did, of its share alone: "NOTE: shard 2/3: 4 of the 12 inputs: 3 analysed, 1 up to
// date". It had said only "shard 2/3 done", after counts of all 12 inputs.
std::string shard_summary(const Shard& shard, const TeamBatchResult& batch, std::size_t inputs) {
  int bad_inputs = 0, not_written = 0;
  for (const BatchFailure& f : batch.batch.failures) ++(f.output ? not_written : bad_inputs);
  const int analysed = batch.batch.succeeded - batch.up_to_date;
  std::string text = "NOTE: shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + ": " +
                     std::to_string(batch.share) + " of the " + std::to_string(inputs) + " inputs: " +
                     std::to_string(analysed) + " analysed";
  if (batch.up_to_date > 0) text += ", " + std::to_string(batch.up_to_date) + " up to date";
  if (bad_inputs > 0) text += ", " + std::to_string(bad_inputs) + " failed";
  if (not_written > 0) text += ", " + std::to_string(not_written) + " not written";
  return text;
}

}  // namespace

void add_hrtem_batch_options(CLI::App& cmd, HrtemBatchOptions& options) {
  CLI::Option* force =
      cmd.add_flag("--force", options.force, "Analyse every image again, even when its folder is up to date");
  CLI::Option* shard = cmd.add_option(
      "--shard", options.shard,
      "K/N: analyse only share K of N of the images (of the images by decreasing file size, the k-th "
      "with k mod N = K - 1), for array jobs; no combined.csv (see --gather)");
  // A malformed share is a usage error (exit 2), caught before anything runs.
  shard->check(CLI::Validator(
      [](std::string& text) {
        try {
          parse_shard(text);
          return std::string();
        } catch (const std::exception& e) {
          const std::string why = e.what();  // "--shard: ..."; CLI11 names the option itself
          return why.substr(why.find(": ") + 2);
        }
      },
      "K/N"));
  CLI::Option* gather = cmd.add_flag(
      "--gather", options.gather,
      "Analyse nothing: write combined.csv from the image folders that --shard runs wrote (the same "
      "command line without --shard); an image without an up-to-date folder fails");
  shard->excludes(gather);
  force->excludes(gather);
}

std::string hrtem_settings_text(const CLI::App& cmd) {
  static const char* const kNotSettings[] = {"out",   "threads", "images-at-once", "config", "help",
                                             "force", "shard",   "gather"};
  std::string text;
  for (const CLI::Option* opt : cmd.get_options()) {
    const std::vector<std::string>& names = opt->get_lnames();
    if (names.empty()) continue;  // the images
    bool skip = false;
    for (const char* n : kNotSettings) skip = skip || names.front() == n;
    if (skip) continue;
    std::string value;
    if (opt->count() > 0) {
      for (const std::string& r : opt->results()) value += (value.empty() ? "" : " ") + r;
    } else {
      value = opt->get_default_str();
    }
    text += "--" + names.front() + "=" + value + "\n";
  }
  return text;
}

int run_hrtem_batch(const HrtemCli& cli_as_given, const HrtemBatchOptions& options, const std::string& settings_text) {
  const WorkTeam& team = work_team();
  HrtemCli cli = cli_as_given;
  // Under MPI "all cores" is the cores of this machine shared by the team's processes on it.
  if (cli.threads == 0 && team.size > 1) cli.threads = team.threads_for_all_cores();
  const int at_once = images_at_once(cli, team, options.gather, !cli.frames.empty());
  // Images side by side with the threads left to the program: each may use every core, and the
  // cores are shared through a lender (deal_work), so that the last images run on the cores the
  // others freed. Threads given on the command line are each image's, as given.
  const bool lend_cores = at_once > 1 && cli.threads == 0;
  if (lend_cores) cli.threads = usable_cores();
  HrtemSettings settings = make_hrtem_settings(cli);
  const Shard shard = options.shard.empty() ? Shard{} : parse_shard(options.shard);
  // The calibration file is never one of the run's inputs (it would replace an image).
  if (!cli.save_threshold.empty()) {
    std::vector<std::string> inputs = cli.images;
    for (const std::string& f : {cli.mask_file, cli.reference}) inputs.push_back(f);
    std::error_code ec;
    for (const std::string& in : inputs)
      if (!in.empty() && fs::equivalent(cli.save_threshold, in, ec))
        throw InputError("--save-threshold " + cli.save_threshold + " is an input of this run (" + in +
                         "); give another file");
  }
  // A --threshold-from file is read before anything is written: a bad one fails the command alone.
  std::optional<SharedThreshold> from_file;
  if (!cli.threshold_from.empty() && !options.gather) from_file = read_batch_threshold(cli.threshold_from, settings);
  const fs::path out_dir(cli.out_dir);
  create_output_folder(out_dir);

  std::vector<fs::path> dirs;
  std::map<std::string, int> used;
  for (const std::string& p : cli.images) dirs.push_back(out_dir / folder_name(p, used));
  // Every null calibration draws the same random coefficients (the seed's): with more than one to
  // make, they are drawn once per process and kept (about 38 MB for 1024 px null fields).
  NullDrawCache null_draws;
  if (cli.images.size() > 1 || settings.series.threshold_each_frame)
    settings.options.threshold.draw_cache = &null_draws;
  // One null calibration for the batch, unless --threshold-each-image (calibrate_batch_threshold).
  // --save-threshold calibrates on the first image also when it is the only one (to write it);
  // --threshold-from takes the file's instead.
  const bool calibrate_once = !cli.threshold_each_image && settings.series.frames.empty() &&
                              (cli.images.size() > 1 || !cli.save_threshold.empty()) &&
                              settings.options.threshold.mode == ThresholdMode::null_model &&
                              cli.threshold_from.empty();
  auto key_of = [&](std::size_t i) {
    std::vector<std::string> files{cli.images[i]};
    if (calibrate_once) files.push_back(cli.images[0]);  // its content decided the level (also for --gather)
    if (!cli.threshold_from.empty()) files.push_back(cli.threshold_from);  // so did the file's
    for (const std::string& f : {cli.mask_file, cli.reference})
      if (!f.empty()) files.push_back(f);
    return hrtem_image_key(settings_text, files);
  };
  // Not made when --gather only reads results, nor when every image is up to date (a run again).
  // The records read to know that (up to the first image to redo) are kept for done_before below.
  std::vector<std::optional<nlohmann::json>> records(cli.images.size());
  bool any_to_analyse = options.force;
  for (std::size_t i = 0; i < cli.images.size() && !any_to_analyse; ++i) {
    records[i] = read_hrtem_record(dirs[i], key_of(i));
    any_to_analyse = !records[i];
  }
  // Every image analysed draws its overlay: the figures module is loaded while the first image is
  // read, on a core the reading leaves idle; not with one thread (--threads 1 runs one), nor beside
  // EMD files, read in forked child processes (figures_preload.hpp). Up to 64 files are looked at
  // for that (each file's first 8 bytes; images_at_once may have read them already, a second small
  // read); a larger batch, where ~10 ms once is nothing, loads the module at its first figure as
  // before, and its files are not opened again for it (under MPI, for series and with --threads N,
  // not at all before they are analysed).
  std::vector<std::string> read_files = cli.images;
  for (const std::string& f : {cli.mask_file, cli.reference})
    if (!f.empty()) read_files.push_back(f);
  const bool loads_figures = !options.gather && any_to_analyse && cli.threads != 1 && usable_cores() > 1 &&
                             read_files.size() <= 64 &&
                             std::none_of(read_files.begin(), read_files.end(), [](const std::string& f) {
                               // A folder series may hold EMD files: not looked into here.
                               std::error_code ec;
                               return is_emd_file(f) || std::filesystem::is_directory(f, ec);
                             });
  const FiguresPreload figures_preload(loads_figures);
  std::optional<SharedThreshold> shared;
  if (calibrate_once && !options.gather && (any_to_analyse || !cli.save_threshold.empty())) {
    const int threads = team.size > 1 ? team.threads_for_all_cores() : cli_as_given.threads;
    shared = calibrate_batch_threshold(cli.images[0], settings, threads, team, cli.images.size() == 1,
                                       cli.save_threshold);
  } else if (from_file && any_to_analyse) {
    shared = std::move(from_file);
    if (team.leader())
      std::fprintf(stderr,
                   "NOTE: spot threshold %.6g read from %s (calibrated on %s), reused by the images of the same pixel "
                   "size, box and radial spectrum (the others calibrate their own and say so)\n",
                   shared->threshold.value, cli.threshold_from.c_str(), shared->source.c_str());
  }
  if (shared) settings.user.shared_threshold = &*shared;

  TeamBatchJob job;
  job.inputs = cli.images;
  job.command = "hrtem";
  job.shard = shard;
  job.at_once = at_once;
  job.lend_cores = lend_cores;
  if (!settings.series.frames.empty()) {
    // --frames: each file is a series (hrtem_series.hpp), dealt as a whole; no records and no
    // combined.csv. Alone, a process prints each point as it is analysed; in a team the leader
    // prints each series' lines when it is done.
    if (options.gather) throw InputError("--gather: series (--frames) write no combined.csv; nothing to gather");
    // A series whose points were all analysed keeps a record as an image does (its folder's files
    // with their sizes): the same command again finds it up to date, or an output damaged since
    // (series.csv cut short) and analyses it again. A series with failed points has none: it is
    // analysed again, as a failed image is.
    if (!options.force)
      job.done_before = [&](std::size_t i) -> std::optional<nlohmann::json> {
        std::string damaged;
        const std::optional<nlohmann::json> row = read_hrtem_record(dirs[i], key_of(i), &damaged);
        if (!damaged.empty())
          std::fprintf(stderr, "NOTE: %s: analysed again: %s\n", cli.images[i].c_str(), damaged.c_str());
        if (!row) return std::nullopt;
        remove_stale_temporaries(dirs[i]);
        return nlohmann::json{{"out", cli.images[i] + ": up to date -> " + dirs[i].string() + "\n"},
                              {"err", ""},
                              {"failed_points", 0}};
      };
    job.run = [&](std::size_t i) {
      std::ostringstream out, err;
      const bool alone = team.size == 1;
      const nlohmann::json key = key_of(i);  // before the analysis: an input edited meanwhile is redone next time
      const int failed =
          run_hrtem_series(cli.images[i], settings, dirs[i], alone ? std::cout : out, alone ? std::cerr : err);
      if (failed == 0) write_hrtem_record(dirs[i], key, nlohmann::json::object());
      return nlohmann::json{{"out", out.str()}, {"err", err.str()}, {"failed_points", failed}};
    };
    // A series whose points partly failed is written, and fails the command as a bad image does.
    int series_with_failures = 0;
    job.use = [&](std::size_t, const nlohmann::json& done) {
      std::fputs(done.at("out").get<std::string>().c_str(), stdout);
      std::fflush(stdout);
      std::fputs(done.at("err").get<std::string>().c_str(), stderr);
      series_with_failures += done.at("failed_points").get<int>() > 0;
    };
    const TeamBatchResult series = run_team_batch(job, std::cerr);
    if (team.leader() && series.up_to_date > 0)
      std::fprintf(stderr, "NOTE: %d series up to date in %s: not analysed again (--force redoes them)\n",
                   series.up_to_date, out_dir.string().c_str());
    if (team.leader() && shard.count > 1)
      std::fputs((shard_summary(shard, series, cli.images.size()) + "\n").c_str(), stderr);
    else if (team.leader())
      remove_earlier_combined_csv(out_dir);
    return team.leader() ? std::max(series.exit_code(), series_with_failures > 0 ? 1 : 0) : 0;
  }
  if (!options.force)
    job.done_before = [&](std::size_t i) -> std::optional<nlohmann::json> {
      std::string damaged;
      std::optional<nlohmann::json> row =
          records[i] ? std::move(records[i]) : read_hrtem_record(dirs[i], key_of(i), &damaged);
      if (!damaged.empty())  // an output truncated or corrupted since: not up to date, whatever the key says
        std::fprintf(stderr, "NOTE: %s: analysed again: %s\n", cli.images[i].c_str(), damaged.c_str());
      if (!row) return std::nullopt;
      // A run killed while it wrote this image again (--force) left its temporary folder, which
      // only a new write of the image removed: an image up to date is never written again.
      remove_stale_temporaries(dirs[i]);
      // Its result lines and warnings are in its summary.json; the terminal says where.
      return nlohmann::json{{"row", std::move(*row)},
                            {"out", cli.images[i] + ": up to date -> " + dirs[i].string() + "\n"},
                            {"err", ""}};
    };
  job.run = [&](std::size_t i) {
    if (options.gather)
      fail_input(cli.images[i], "no up-to-date result in " + dirs[i].string() +
                                    " to gather: " + hrtem_record_mismatch(dirs[i], key_of(i)));
    const nlohmann::json key = key_of(i);  // before the analysis: an input edited meanwhile is redone next time
    const nlohmann::json done = hrtem_job_json(run_hrtem_image_job(cli.images[i], settings, dirs[i]));
    write_hrtem_record(dirs[i], key, done.at("row"));
    return done;
  };
  std::vector<HrtemImageFractions> rows;
  job.use = [&](std::size_t, const nlohmann::json& done) {
    std::fputs(done.at("out").get<std::string>().c_str(), stdout);
    std::fflush(stdout);
    std::fputs(done.at("err").get<std::string>().c_str(), stderr);
    rows.push_back(hrtem_row_from_json(done.at("row")));
  };
  const TeamBatchResult batch = run_team_batch(job, std::cerr);
  if (!team.leader()) return 0;  // the leader reports and writes the combined outputs

  if (batch.up_to_date > 0 && !options.gather)
    std::fprintf(stderr, "NOTE: %d image(s) up to date in %s: not analysed again (--force redoes them)\n",
                 batch.up_to_date, out_dir.string().c_str());
  if (shard.count > 1)
    std::fputs((shard_summary(shard, batch, cli.images.size()) +
                "; combined.csv is written by the same command with --gather\n").c_str(), stderr);
  else if (cli.images.size() > 1 && !rows.empty())
    write_file_atomic(out_dir / "combined.csv",
                      hrtem_combined_csv(rows, settings.area.bootstrap_resamples, settings.area.seed,
                                         settings.options.threshold.alpha, batch.batch.failures));
  else
    remove_earlier_combined_csv(out_dir);
  return batch.exit_code();
}

}  // namespace mgscope
