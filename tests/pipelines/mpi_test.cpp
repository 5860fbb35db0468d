// The same commands under mpirun (docs/cluster.md): every output byte-identical to the
// single-process run, bad inputs reported as there, a killed run completed by a re-run, shards
// gathered into the same bytes. The MPI tests skip when mgscope was built without MPI.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/base/json.hpp"
#include "pipelines/hrtem_image_record.hpp"
#include "pipelines/team_batch.hpp"
#include "pipelines/work_team.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// Debian's mpirun as CI runs it: as root, more ranks than cores.
// Open MPI 4.1 makes its session directory /tmp/ompi.<host>.<uid> at every launch and removes it at
// the end, so two launches by one user at the same moment race on it ("A call to mkdir was unable
// to create the desired directory ... File exists", then orte_init fails; open-mpi/ompi#8510):
// these tests run mpiruns side by side, and ctest -j runs them beside each other. Each launch gets
// a base of its own, short (the session holds Unix sockets, whose paths are limited to 107 bytes),
// removed at exit. Under load the launcher still lost that race inside one launch now and then
// (2 of 10 runs with two copies of these tests side by side), so a launch that fails in Open MPI's
// own start-up, before mgscope runs, is tried again (launch_failed).
std::string own_session_base() {
  struct Root {
    std::string path;
    Root() {
      char tmpl[] = "/tmp/mgs-ompi-XXXXXX";
      if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed for the Open MPI session base");
      path = tmpl;
    }
    ~Root() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  };
  static const Root root;
  static std::atomic<int> launches{0};
  const std::string dir = root.path + "/" + std::to_string(++launches);
  fs::create_directories(dir);
  return dir;
}

// The launch of mgscope on `ranks` ranks, each through `wrapper` when given: a shell script that
// gets the program and its arguments (and may change them, or wait on some ranks); `options` go
// to mpirun.
std::string mpirun(int ranks, const fs::path& wrapper = {}, const std::string& options = "") {
  return "OMPI_MCA_orte_tmpdir_base=" + own_session_base() + " '" + MGSCOPE_MPIRUN +
         "' --allow-run-as-root --oversubscribe " + options + " -np " + std::to_string(ranks) +
         (wrapper.empty() ? "" : " sh '" + wrapper.string() + "'") + " '" + MGSCOPE_EXE + "' ";
}
bool have_mpi() { return std::string(MGSCOPE_MPIRUN).size() > 0; }
#define SKIP_WITHOUT_MPI() \
  if (!have_mpi()) GTEST_SKIP() << "mgscope was built without MPI (MGSCOPE_MPI=OFF): nothing to run under mpirun"

// `diff -r` of two output trees: "" when every file is byte-identical.
std::string tree_difference(const fs::path& a, const fs::path& b) {
  const auto r = test::run_command("diff -r " + q(a) + " " + q(b));
  return r.exit_code == 0 ? "" : "differ:\n" + r.output;
}

// Small synthetic images of different sizes (so the dealing order is not the input order), a
// file that is no image, and the first image twice.
std::vector<std::string> image_batch(const fs::path& dir, int count, int side_px) {
  std::vector<std::string> images;
  for (int k = 1; k <= count; ++k) {
    const std::string name = "im" + std::to_string(k);
    const auto r = test::run_mgscope("synth hrtem -o " + q(dir) + " --name " + name + " --width " +
                                     std::to_string(side_px) + " --height " + std::to_string(side_px - 32 * (k % 3)) +
                                     " --ordered-fraction 0.1 --seed " + std::to_string(k));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    images.push_back((dir / (name + ".tif")).string());
  }
  return images;
}

std::string quoted(const std::vector<std::string>& paths) {
  std::string s;
  for (const auto& p : paths) s += q(p) + " ";
  return s;
}

// Runs each command (ending in "-o ") in its own folder dir/<name> with the output folder "out",
// all at the same time: the outputs land in dir/<name>/out and the paths inside them ("out/...")
// agree, so the trees can be compared byte for byte.
// Open MPI's launcher failed in its own start-up (orte_init: its session directory), before
// mgscope ran: nothing of the command was done.
bool launch_failed(const test::RunResult& r) {
  return r.output.find("orte_init failed") != std::string::npos ||
         r.output.find("orte_session_dir failed") != std::string::npos;
}

// Runs `line`, again (up to three times) while Open MPI's launcher fails to start; `out`, when
// given, is removed before a retry (a rank may have started before the launch failed).
test::RunResult run_launch(const std::string& line, const fs::path& out = {}) {
  for (int attempt = 1;; ++attempt) {
    test::RunResult r = test::run_command(line);
    if (attempt == 3 || !launch_failed(r)) return r;
    std::error_code ec;
    if (!out.empty()) fs::remove_all(out, ec);
  }
}

std::map<std::string, test::RunResult> run_side_by_side(
    const fs::path& dir, const std::vector<std::pair<std::string, std::string>>& runs) {
  std::map<std::string, std::future<test::RunResult>> running;
  for (const auto& [name, command] : runs) {
    fs::create_directories(dir / name);
    const std::string line = "cd " + q(dir / name) + " && " + command + "out";
    running[name] = std::async(std::launch::async, [line, out = dir / name / "out"] { return run_launch(line, out); });
  }
  std::map<std::string, test::RunResult> results;
  for (auto& [name, r] : running) results[name] = r.get();
  return results;
}

std::string exe() { return std::string("'") + MGSCOPE_EXE + "' "; }

// Four images of 448 px, a file that is no image inserted at `bad_at`, and the first image again
// at the end: the batch a bad input and a repeat must leave undisturbed.
std::vector<std::string> batch_with_bad_file_and_repeat(const fs::path& dir, std::size_t bad_at) {
  std::vector<std::string> inputs = image_batch(dir / "img", 4, 448);
  std::ofstream(dir / "img" / "bad.tif") << "not an image";
  inputs.insert(inputs.begin() + long(bad_at), (dir / "img" / "bad.tif").string());
  inputs.push_back(inputs.front());
  return inputs;
}

TEST(WorkTeam, LargestFirstWithTiesInInputOrder) {
  EXPECT_EQ(largest_first({3, 5, 3, 9, 0}), (std::vector<std::size_t>{3, 1, 0, 2, 4}));
  EXPECT_TRUE(largest_first({}).empty());
}

TEST(WorkTeam, ShardIsKOfN) {
  const Shard s = parse_shard("2/5");
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.count, 5);
  for (const char* bad : {"0/3", "4/3", "1/0", "a/b", "1/2x", "3", ""})
    EXPECT_THROW(parse_shard(bad), InputError) << bad;
}

// A row read back from a record (or received from a rank) gives combined.csv the same bytes:
// every digit, NaN (no specimen) and infinities survive.
TEST(HrtemRecord, RowRoundTripGivesTheSameCombinedCsv) {
  HrtemImageJob job;
  job.fractions.run.file.path = "dir/img\xff.tif";
  job.fractions.boxes.boxes = 7;
  job.fractions.boxes.box_counts = {4, 2, 1};
  job.fractions.has_area = true;
  job.fractions.ordered_area_fraction = 0.1 + 0.2;  // 0.30000000000000004
  job.fractions.ordered_area_fraction_95 = {std::nan(""), std::numeric_limits<double>::infinity()};
  job.fractions.blocks = {{1.0 / 3, 2.0 / 7}, {1e-300, 5e300}};
  job.fractions.warnings = {"vacuum found", "2 groups, \"cut\""};
  HrtemImageJob empty;  // no specimen: NaN fractions
  empty.fractions.run.file.path = "b.tif";
  empty.fractions.ordered_area_fraction = std::nan("");
  const std::vector<HrtemImageFractions> direct{job.fractions, empty.fractions};
  std::vector<HrtemImageFractions> back;
  for (const HrtemImageJob* j : {&job, &empty})
    back.push_back(hrtem_row_from_json(nlohmann::json::from_cbor(nlohmann::json::to_cbor(hrtem_job_json(*j)))["row"]));
  EXPECT_EQ(back[0].run.path(), "dir/img\xff.tif");
  EXPECT_EQ(back[0].ordered_area_fraction, 0.1 + 0.2);
  EXPECT_TRUE(std::isnan(back[0].ordered_area_fraction_95.low));
  EXPECT_EQ(back[0].blocks[1].numerator, 5e300);
  EXPECT_EQ(back[0].warnings, job.fractions.warnings);
  const std::string csv = hrtem_combined_csv(back, 200, 7, 0.01);
  EXPECT_EQ(csv, hrtem_combined_csv(direct, 200, 7, 0.01));
  // Each row ends with its doubts; the pooled row's are every image's, named.
  EXPECT_NE(csv.find(",\"vacuum found | 2 groups, \"\"cut\"\"\"\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"img\xff.tif: vacuum found | img\xff.tif: 2 groups, \"\"cut\"\"\"\n"), std::string::npos)
      << csv;
  // An image without a specimen box has no fractions: empty cells, not the 0 they read before.
  EXPECT_NE(csv.find("\nb.tif,0,0,0,0,,,,,,,,,,\n"), std::string::npos) << csv;
  // A failed image has its row, which says why, and the pooled row says it is left out.
  const std::string with_failure = hrtem_combined_csv(direct, 200, 7, 0.01, {{"dir/c.tif", "dir/c.tif: truncated"}});
  EXPECT_NE(with_failure.find("\ndir/c.tif,,,,,,,,,,,,,,not analysed (the run's ERROR line for it says why)\npooled,"),
            std::string::npos)
      << with_failure;
  EXPECT_NE(with_failure.find("| c.tif: not analysed, left out of the pooled row\"\n"), std::string::npos)
      << with_failure;
}

// -np 3 (and -np 1) against the program without mpirun: the same files, byte for byte; the bad
// file reported and the repeat skipped as a single-process batch does; exit code 1. Default
// settings (the sliding area map included).
TEST(Mpi, HrtemThreeRanksWriteTheBytesOfOneProcess) {
  SKIP_WITHOUT_MPI();
  const fs::path dir = test::scratch_dir("mpi_hrtem");
  const std::vector<std::string> inputs = batch_with_bad_file_and_repeat(dir, 2);
  const std::string args = "hrtem " + quoted(inputs) + "-o ";
  auto runs = run_side_by_side(dir, {{"serial", exe() + args}, {"np1", mpirun(1) + args}, {"np3", mpirun(3) + args}});
  for (const auto& [name, r] : runs) {
    EXPECT_EQ(r.exit_code, 1) << name << ": " << r.output;
    EXPECT_NE(r.output.find("ERROR: " + inputs[2] + ": not a supported image format"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("WARNING: " + inputs[0] + " is the same file as"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("1 of 6 inputs failed:\n  " + inputs[2]), std::string::npos) << r.output;
  }
  // header, four images, the failed one and the pooled row
  const std::string combined = test::read_all(dir / "serial" / "out" / "combined.csv");
  EXPECT_EQ(std::count(combined.begin(), combined.end(), '\n'), 7) << combined;
  EXPECT_NE(combined.find("\n" + inputs[2] + std::string(14, ',') + "not analysed"), std::string::npos) << combined;
  EXPECT_EQ(tree_difference(dir / "serial" / "out", dir / "np1" / "out"), "");
  EXPECT_EQ(tree_difference(dir / "serial" / "out", dir / "np3" / "out"), "");
  fs::remove_all(dir);
}

// A process alone may analyse two images at once (--images-at-once, on by default for small
// files when all cores are used): the same files, byte for byte, and the same terminal text in
// input order as one image at a time, the bad file and the repeat included. Without --threads the
// images share the cores through a lender (the last one's loops take the cores the other left).
TEST(WorkTeam, TwoImagesAtOnceWriteTheBytesAndLinesOfOneAtATime) {
  const fs::path dir = test::scratch_dir("hrtem_at_once");
  const std::vector<std::string> inputs = batch_with_bad_file_and_repeat(dir, 1);
  const std::string args = "hrtem " + quoted(inputs) + "--threads 2 ";
  auto runs = run_side_by_side(dir, {{"one", exe() + args + "--images-at-once 1 -o "},
                                     {"two", exe() + args + "--images-at-once 2 -o "},
                                     {"three", exe() + args + "--images-at-once 3 -o "},
                                     {"lent", exe() + "hrtem " + quoted(inputs) + "--images-at-once 2 -o "}});
  for (const auto& [name, r] : runs) {
    EXPECT_EQ(r.exit_code, 1) << name << ": " << r.output;
    EXPECT_EQ(r.output, runs["one"].output) << name;
  }
  EXPECT_NE(runs["one"].output.find("1 of 6 inputs failed:\n  " + inputs[1]), std::string::npos) << runs["one"].output;
  EXPECT_EQ(tree_difference(dir / "one" / "out", dir / "two" / "out"), "");
  EXPECT_EQ(tree_difference(dir / "one" / "out", dir / "three" / "out"), "");
  EXPECT_EQ(tree_difference(dir / "one" / "out", dir / "lent" / "out"), "");
  fs::remove_all(dir);
}

// A run killed after its first image folder appeared leaves complete folders only; the same
// command again analyses the rest and ends with the bytes of an uninterrupted run.
// `kill` ends the run started as $pid (a shell command line).
// `launcher()` gives the command's start (the program, or mpirun and the program) anew for each
// launch: each mpirun needs its own session base (own_session_base).
void killed_run_is_completed(const std::function<std::string()>& launcher, const std::string& kill,
                             const std::string& name, int images) {
  const fs::path dir = test::scratch_dir(name);
  const std::vector<std::string> inputs = image_batch(dir / "img", images, 512);
  const std::string args = "hrtem " + quoted(inputs) + "--area-stride off -o ";
  // The uninterrupted run, in dir/whole, beside the one killed when its first record appears, in
  // dir/killed (at most 30 s of waiting). Enough images that the kill lands before the last one
  // on a loaded machine: with 4, the shell that waits for the first record was late once under a
  // load of 11 and the run had finished ("finished 4 < images 4").
  std::ofstream(dir / "kill.sh") << launcher() << args << "out >/dev/null 2>&1 &\n"
                                 << "pid=$!; n=0\n"
                                 << "while ! ls out/.mgscope-records/*.cbor >/dev/null 2>&1 && [ $n -lt 3000 ]; do\n"
                                 << "  sleep 0.01; n=$((n+1))\n"
                                 << "done\n"
                                 << kill << "; wait $pid\n"
                                 << "ls out/.mgscope-records/*.cbor | wc -l\n";  // not the temporaries
  // (run_side_by_side appends "out": an argument the script does not use.)
  auto runs = run_side_by_side(dir, {{"whole", launcher() + args}, {"killed", "sh " + q(dir / "kill.sh") + " "}});
  EXPECT_EQ(runs["whole"].exit_code, 0) << runs["whole"].output;
  // The count is the last line (the shell may first say that it killed the job).
  const std::string& said = runs["killed"].output;
  const int finished = std::atoi(said.substr(said.find_last_of('\n', said.size() - 2) + 1).c_str());
  EXPECT_GE(finished, 1) << said;
  EXPECT_LT(finished, images) << "the run ended before it was killed";
  const auto again = run_launch("cd " + q(dir / "killed") + " && " + launcher() + args + "out");  // resumes: keep out
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("image(s) up to date"), std::string::npos) << again.output;
  EXPECT_EQ(tree_difference(dir / "whole" / "out", dir / "killed" / "out"), "");
  fs::remove_all(dir);
}

TEST(HrtemResume, KilledRunIsCompletedByTheSameCommand) {
  killed_run_is_completed([] { return std::string("'") + MGSCOPE_EXE + "' "; }, "kill -KILL $pid", "resume_serial", 10);
}

TEST(Mpi, KilledJobIsCompletedByTheSameCommand) {
  SKIP_WITHOUT_MPI();
  // The ranks (mpirun's children) killed at once, as when their node is lost; mpirun then ends
  // the job. (A SIGTERM to mpirun lets the ranks work on for about a second.)
  killed_run_is_completed([] { return mpirun(2); }, "kill -KILL $(pgrep -P $pid)", "resume_mpi", 10);
}

// The libraries the program maps at start, as ldd lists them (checked to name libc, so that an
// ldd that printed nothing useful cannot pass a "does not link" test).
void program_libraries(std::string& listing) {
  const auto r = test::run_command(std::string("ldd '") + MGSCOPE_EXE + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_NE(r.output.find("libc.so"), std::string::npos) << r.output;
  listing = r.output;
}

// MPI lives in the MPI module (libmgscope_mpi.so), loaded only under mpirun: the program itself
// maps none of Open MPI's libraries.
// `mgscope sample` of the demo's four samples and a manifest that cannot be read, run side by side
// (the default on 2 cores, and 4 at once), writes the bytes of one sample at a time and prints the
// same lines in the same order (the modules' times aside); its numbers and figures do not depend
// on which samples shared the cores.
TEST(WorkTeam, SamplesSideBySideWriteTheBytesAndLinesOfOneAtATime) {
  const fs::path dir = test::scratch_dir("samples_at_once");
  const fs::path demo = fs::path(MGSCOPE_SOURCE_DIR) / "samples" / "study";
  std::ofstream(dir / "broken.toml") << "name = \"unterminated\n";
  std::string args = "sample ";
  for (const char* s : {"ascast", "ctc10", "broken", "ctc20", "ctc40"})
    args += q(std::string(s) == "broken" ? dir / "broken.toml" : demo / s / "sample.toml") + " ";
  auto runs = run_side_by_side(dir, {{"one", exe() + args + "--samples-at-once 1 -o "},
                                     {"default", exe() + args + "-o "},
                                     {"four", exe() + args + "--threads 4 --samples-at-once 4 -o "}});
  const auto without_times = [](const std::string& text) {
    return std::regex_replace(text, std::regex(R"(ok \([0-9.]+ s\))"), "ok");
  };
  const std::string lines = without_times(runs["one"].output);
  EXPECT_EQ(runs["one"].exit_code, 1) << lines;
  EXPECT_NE(lines.find("broken.toml"), std::string::npos) << lines;
  EXPECT_LT(lines.find("as-cast ("), lines.find("10 CTC cycles")) << lines;
  EXPECT_LT(lines.find("10 CTC cycles"), lines.find("20 CTC cycles")) << lines;
  for (const auto& [name, r] : runs) {
    EXPECT_EQ(r.exit_code, 1) << name << ": " << r.output;
    EXPECT_EQ(without_times(r.output), lines) << name;
  }
  for (const char* s : {"ascast", "ctc20"}) ASSERT_TRUE(fs::exists(dir / "default" / "out" / s / "report.html")) << s;
  EXPECT_EQ(tree_difference(dir / "one" / "out", dir / "default" / "out"), "");
  EXPECT_EQ(tree_difference(dir / "one" / "out", dir / "four" / "out"), "");
  fs::remove_all(dir);
}

TEST(WorkTeam, ProgramDoesNotLinkMpi) {
  std::string libs;
  ASSERT_NO_FATAL_FAILURE(program_libraries(libs));
  EXPECT_EQ(libs.find("libmpi"), std::string::npos) << libs;
  EXPECT_EQ(libs.find("libopen-pal"), std::string::npos) << libs;
}

// OpenCV (and the ~15 libraries Debian's build of it brings) is loaded only to draw the HRTEM
// figures, from libmgscope_figures.so: the program does not link it, and without the module an
// image fails with an error naming it, its folder not written, the other commands unaffected.
TEST(Figures, ProgramDoesNotLinkOpenCvAndDrawsThroughItsModule) {
  std::string libs;
  ASSERT_NO_FATAL_FAILURE(program_libraries(libs));
  EXPECT_EQ(libs.find("libopencv"), std::string::npos) << libs;
  const fs::path dir = test::scratch_dir("figures_module");
  const std::vector<std::string> inputs = image_batch(dir / "img", 1, 256);
  const auto drawn = test::run_command("cd " + q(dir) + " && " + MGSCOPE_EXE + " hrtem " + quoted(inputs) + "-o out");
  EXPECT_EQ(drawn.exit_code, 0) << drawn.output;
  const std::string stem = fs::path(inputs[0]).stem().string();
  EXPECT_GT(fs::file_size(dir / "out" / stem / "overlay.png"), 1000u);
  EXPECT_GT(fs::file_size(dir / "out" / stem / "map_class.png"), 1000u);
  const std::string gone = (dir / "gone" / "libmgscope_figures.so").string();
  const auto missing = test::run_command("cd " + q(dir) + " && MGSCOPE_FIGURES_MODULE=" + q(gone) + " " + MGSCOPE_EXE +
                                         " hrtem " + quoted(inputs) + "-o out2");
  EXPECT_NE(missing.exit_code, 0) << missing.output;
  EXPECT_NE(missing.output.find("ERROR: " + inputs[0] + ": cannot draw the figures: the figures module "
                                "(libmgscope_figures.so) was not found"),
            std::string::npos)
      << missing.output;
  EXPECT_NE(missing.output.find(gone + ": cannot open shared object file"), std::string::npos) << missing.output;
  EXPECT_FALSE(fs::exists(dir / "out2" / stem / "summary.json"));
  const auto version = test::run_command("MGSCOPE_FIGURES_MODULE=" + q(gone) + " " + MGSCOPE_EXE + " --version");
  EXPECT_EQ(version.exit_code, 0) << version.output;
  fs::remove_all(dir);
}

// libzip (with libcrypto and libbz2) is loaded only to read a zip (or write one too large for
// stored_zip.cpp), from libmgscope_zip.so: the program does not link it; an HRTEM run writes its ROI
// set without the module, the same bytes; without the module a zip read fails naming it, and the
// commands that touch no zip are unaffected.
TEST(Zip, ProgramDoesNotLinkLibzipAndUsesItsModule) {
  std::string libs;
  ASSERT_NO_FATAL_FAILURE(program_libraries(libs));
  EXPECT_EQ(libs.find("libzip"), std::string::npos) << libs;
  EXPECT_EQ(libs.find("libcrypto"), std::string::npos) << libs;
  const fs::path dir = test::scratch_dir("zip_module");
  const std::vector<std::string> inputs = image_batch(dir / "img", 1, 256);
  const std::string stem = fs::path(inputs[0]).stem().string();
  const auto written = test::run_command("cd " + q(dir) + " && " + MGSCOPE_EXE + " hrtem " + quoted(inputs) + "-o out");
  EXPECT_EQ(written.exit_code, 0) << written.output;
  const std::string roi_set = test::read_all(dir / "out" / stem / "ordered_boxes_roiset.zip");
  ASSERT_GE(roi_set.size(), 22u);  // at least a zip's end record
  EXPECT_EQ(roi_set.substr(0, 2), "PK");
  const std::string gone = (dir / "gone" / "libmgscope_zip.so").string();
  const auto no_module = test::run_command("cd " + q(dir) + " && MGSCOPE_ZIP_MODULE=" + q(gone) + " " + MGSCOPE_EXE +
                                           " hrtem " + quoted(inputs) + "-o out2");
  EXPECT_EQ(no_module.exit_code, 0) << no_module.output;
  EXPECT_EQ(test::read_all(dir / "out2" / stem / "ordered_boxes_roiset.zip"), roi_set);
  // A zip to read: the module is looked for before the bytes are, so any zip header will do.
  const fs::path zip = dir / "export.zip";
  std::ofstream(zip, std::ios::binary) << std::string("PK\x03\x04\x14\0\0\0", 8);
  const auto no_read = test::run_command("MGSCOPE_ZIP_MODULE=" + q(gone) + " " + MGSCOPE_EXE + " hardness " + q(zip) +
                                         " --figures 0 -o " + q(dir / "out3"));
  EXPECT_NE(no_read.exit_code, 0) << no_read.output;
  EXPECT_NE(no_read.output.find(zip.string() + ": cannot read or write zip files: the zip module"), std::string::npos)
      << no_read.output;
  const auto version = test::run_command("MGSCOPE_ZIP_MODULE=" + q(gone) + " " + MGSCOPE_EXE + " --version");
  EXPECT_EQ(version.exit_code, 0) << version.output;
  fs::remove_all(dir);
}

// Under mpirun without its MPI module every rank stops with an error naming where it looked,
// before writing anything: running on alone, every rank would do the whole command.
TEST(Mpi, MissingModuleStopsEveryRankSayingWhereItLooked) {
  SKIP_WITHOUT_MPI();
  const fs::path dir = test::scratch_dir("mpi_no_module");
  const std::vector<std::string> inputs = image_batch(dir / "img", 1, 256);
  const std::string gone = (dir / "gone" / "libmgscope_mpi.so").string();
  const auto r = run_launch("cd " + q(dir) + " && MGSCOPE_MPI_MODULE=" + q(gone) + " " + mpirun(2) + "hrtem " +
                                quoted(inputs) + "-o out",
                            dir / "out");
  EXPECT_NE(r.exit_code, 0) << r.output;
  // Not an error every rank finds alike (another node may lack the module): each rank says it,
  // rank 0 as "ERROR: ...", the others naming themselves.
  const std::string said = "started by an MPI launcher, but the MPI module (libmgscope_mpi.so) was not found";
  std::size_t ranks = 0;
  for (std::size_t at = r.output.find(said); at != std::string::npos; at = r.output.find(said, at + 1)) ++ranks;
  EXPECT_EQ(ranks, 2u) << r.output;
  EXPECT_NE(r.output.find("ERROR: " + said), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ERROR: rank 1: " + said), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(gone + ": cannot open shared object file"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("MGSCOPE_MPI_MODULE names the only place looked"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out"));
  fs::remove_all(dir);
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Every rank parses the same command line and reads the same settings files: a bad option, a
// usage error or a missing settings file was printed once per rank (three times under -np 3).
// Rank 0 says it; every rank exits non-zero, together. Rank 0 says it also when it starts a second
// after the others: the first rank to exit ends the job, and rank 0 had been killed before it spoke.
// And the others stay quiet under a launcher that lets the job go on when a rank fails (srun's
// default; mpirun with orte_abort_on_non_zero_status 0), where waiting would not tell them that
// rank 0 spoke: they meet it as they leave.
TEST(Mpi, AStartUpErrorIsPrintedOnceAndEveryRankFails) {
  SKIP_WITHOUT_MPI();
  const fs::path dir = test::scratch_dir("mpi_startup_error");
  const std::vector<std::string> inputs = image_batch(dir / "img", 1, 256);
  const fs::path late_rank_0 = dir / "late_rank_0.sh";
  std::ofstream(late_rank_0) << "[ \"$OMPI_COMM_WORLD_RANK\" = 0 ] && sleep 1\nexec \"$@\"\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--bogus", "hrtem: The following argument was not expected: --bogus"},
      {"--roi 1,2", "hrtem: --roi '1,2': give four values"},
      {"--threshold-from " + q(dir / "missing.json"), "missing.json: cannot open file"},
  };
  for (const std::string& launch :
       {mpirun(3), mpirun(3, late_rank_0), mpirun(3, {}, "--mca orte_abort_on_non_zero_status 0")})
    for (const auto& [option, message] : cases) {
      const std::string said = launch + option + ":\n";
      const auto r =
          run_launch("cd " + q(dir) + " && " + launch + "hrtem " + quoted(inputs) + option + " -o out", dir / "out");
      // (mpirun that lets the job go on returns 0 whatever its ranks return: not checked there)
      if (launch.find("orte_abort_on_non_zero_status") == std::string::npos)
        EXPECT_NE(r.exit_code, 0) << said << r.output;
      EXPECT_EQ(count_of(r.output, message), 1u) << said << r.output;
      EXPECT_EQ(count_of(r.output, "ERROR: "), 1u) << said << r.output;  // not Open MPI's ORTE_ERROR_LOG
      EXPECT_EQ(r.output.find("rank 1"), std::string::npos) << said << r.output;
      // Every rank left on the error: none had to end the job for the others.
      EXPECT_EQ(r.output.find("MPI_ABORT"), std::string::npos) << said << r.output;
    }
  fs::remove_all(dir);
}

// An error of the start that only some ranks meet (here a settings file given to them only; on a
// cluster, a file missing on their node) is said by each rank that met it, rank 0 as "ERROR: ...",
// the others naming themselves, and ends the job. The job hung: the ranks that went on waited for
// the failed ones, and those, at their exit, for the others.
TEST(Mpi, AStartUpErrorOfSomeRanksAloneIsSaidByThemAndEndsTheJob) {
  SKIP_WITHOUT_MPI();
  const fs::path dir = test::scratch_dir("mpi_own_startup_error");
  const std::vector<std::string> inputs = image_batch(dir / "img", 2, 256);
  const std::string missing = (dir / "missing.json").string();
  const fs::path others_miss = dir / "others_miss.sh", rank_0_misses = dir / "rank_0_misses.sh";
  std::ofstream(others_miss) << "[ \"$OMPI_COMM_WORLD_RANK\" = 0 ] && exec \"$@\"\n"
                             << "exec \"$@\" --threshold-from " << q(missing) << "\n";
  std::ofstream(rank_0_misses) << "[ \"$OMPI_COMM_WORLD_RANK\" = 0 ] || exec \"$@\"\n"
                               << "exec \"$@\" --threshold-from " << q(missing) << "\n";
  const std::string said = missing + ": cannot open file";
  for (const fs::path& wrapper : {others_miss, rank_0_misses}) {
    const auto r =
        run_launch("cd " + q(dir) + " && timeout 60 env " + mpirun(3, wrapper) + "hrtem " + quoted(inputs) + "-o out",
                   dir / "out");
    const std::string launch = wrapper.filename().string() + ":\n";
    EXPECT_NE(r.exit_code, 0) << launch << r.output;
    EXPECT_NE(r.exit_code, 124) << "the job hung: " << launch << r.output;
    if (wrapper == others_miss) {
      EXPECT_NE(r.output.find("ERROR: rank 1: " + said), std::string::npos) << launch << r.output;
      EXPECT_NE(r.output.find("ERROR: rank 2: " + said), std::string::npos) << launch << r.output;
    } else {
      EXPECT_EQ(count_of(r.output, "ERROR: " + said), 1u) << launch << r.output;
      EXPECT_EQ(r.output.find("ERROR: rank"), std::string::npos) << launch << r.output;
    }
    fs::remove_all(dir / "out");
  }
  fs::remove_all(dir);
}

// A build without MPI started by a launcher says so (every process then runs the whole command).
TEST(WorkTeam, BuildWithoutMpiSaysSoUnderALauncher) {
  if (have_mpi()) GTEST_SKIP() << "mgscope was built with MPI (MGSCOPE_MPI=ON)";
  const fs::path dir = test::scratch_dir("no_mpi_launch");
  const std::vector<std::string> inputs = image_batch(dir / "img", 1, 256);
  // The variables Open MPI's mpirun gives rank 0 of 2.
  const auto r = test::run_command("cd " + q(dir) + " && OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=0 " + exe() +
                                   "hrtem " + quoted(inputs) + "-o out");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("WARNING: started by an MPI launcher (2 processes), but MPI support was not built"),
            std::string::npos) << r.output;
  fs::remove_all(dir);
}

// --shard 1/2 and 2/2, then --gather: the bytes of one run (the bad file fails in the gather too).
// Each shard's summary counts its share: shard 2 had said "1 of 4 inputs failed" of its 2, and
// "shard 2/2 done" without what it did.
TEST(HrtemShards, ShardsThenGatherWriteTheBytesOfOneRun) {
  const fs::path dir = test::scratch_dir("shards");
  std::vector<std::string> inputs = image_batch(dir / "img", 3, 384);
  std::ofstream(dir / "img" / "bad.tif") << "not an image";
  inputs.push_back((dir / "img" / "bad.tif").string());
  const std::string cmd = exe() + "hrtem " + quoted(inputs) + "--area-stride off ";
  // One run beside the two shards (they write different folders of the same "out").
  auto runs = run_side_by_side(dir, {{"one", cmd + "-o "}, {"shards", cmd + "--shard 1/2 -o "}});
  EXPECT_EQ(runs["one"].exit_code, 1) << runs["one"].output;
  const auto second = test::run_command("cd " + q(dir / "shards") + " && " + cmd + "--shard 2/2 -o out");
  // Of the three images and the bad file (smallest) by decreasing size, shard 1 takes the 1st and
  // 3rd, shard 2 the 2nd and the bad file.
  EXPECT_EQ(runs["shards"].exit_code, 0) << runs["shards"].output;
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_NE(runs["shards"].output.find("NOTE: shard 1/2: 2 of the 4 inputs: 2 analysed; combined.csv is written"),
            std::string::npos) << runs["shards"].output;
  EXPECT_NE(second.output.find("1 of 2 inputs failed:\n  " + inputs[3] + "\n"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("NOTE: shard 2/2: 2 of the 4 inputs: 1 analysed, 1 failed; combined.csv"),
            std::string::npos) << second.output;
  const auto again = test::run_command("cd " + q(dir / "shards") + " && " + cmd + "--shard 1/2 -o out");
  EXPECT_NE(again.output.find("NOTE: shard 1/2: 2 of the 4 inputs: 0 analysed, 2 up to date;"), std::string::npos)
      << again.output;
  EXPECT_FALSE(fs::exists(dir / "shards" / "out" / "combined.csv"));
  const auto gather = test::run_command("cd " + q(dir / "shards") + " && " + cmd + "--gather -o out");
  EXPECT_EQ(gather.exit_code, 1) << gather.output;
  EXPECT_NE(gather.output.find("bad.tif: no up-to-date result"), std::string::npos) << gather.output;
  EXPECT_EQ(tree_difference(dir / "one" / "out", dir / "shards" / "out"), "");
  fs::remove_all(dir);
}

// The first image given twice, to two shards: the shard whose share holds that image says once
// that it is analysed once, the other says nothing of it (each had said it, also of an input
// outside its share); the gathered run says it once.
TEST(HrtemShards, EachShardWarnsOfTheRepeatsInItsShareOnly) {
  const fs::path dir = test::scratch_dir("shard_repeats");
  std::vector<std::string> inputs = image_batch(dir / "img", 2, 256);
  inputs.push_back(inputs[0]);
  const std::string cmd = "cd " + q(dir) + " && " + exe() + "hrtem " + quoted(inputs) + "--area-stride off -o out ";
  const std::string repeat = "WARNING: " + inputs[0] + " is the same file as " + inputs[0] + ": analysed once\n";
  const auto times = [](const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
  };
  // im1 (256 x 224) is larger than im2 (256 x 192): shard 1 takes im1, shard 2 im2.
  const auto first = test::run_command(cmd + "--shard 1/2");
  const auto second = test::run_command(cmd + "--shard 2/2");
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(times(first.output, repeat), 1u) << first.output;
  EXPECT_EQ(times(second.output, "analysed once"), 0u) << second.output;
  const auto gather = test::run_command(cmd + "--gather");
  EXPECT_EQ(gather.exit_code, 0) << gather.output;
  EXPECT_EQ(times(gather.output, repeat), 1u) << gather.output;
  EXPECT_TRUE(fs::exists(dir / "out" / "combined.csv"));
  fs::remove_all(dir);
}

// The demo study (README) under -np 3: the bytes of the single-process study.
TEST(Mpi, DemoStudyThreeRanksWriteTheBytesOfOneProcess) {
  SKIP_WITHOUT_MPI();
  const fs::path dir = test::scratch_dir("mpi_study");
  const std::string args = "study " + q(fs::path(MGSCOPE_SOURCE_DIR) / "samples" / "study" / "study.toml") + " -o ";
  auto runs = run_side_by_side(dir, {{"serial", exe() + args}, {"np3", mpirun(3) + args}});
  ASSERT_EQ(runs["serial"].exit_code, 0) << runs["serial"].output;
  EXPECT_EQ(runs["np3"].exit_code, 0) << runs["np3"].output;
  EXPECT_TRUE(fs::exists(dir / "np3" / "out" / "study.csv"));
  EXPECT_EQ(tree_difference(dir / "serial" / "out", dir / "np3" / "out"), "");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mgscope
