// Outputs that never lie: a failed write is an error and leaves nothing under the final name,
// stale temporaries of killed runs are removed, inputs are never overwritten, outputs named
// after inputs never collide, a file given twice is analysed once, odd bytes in names are safe.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fitting/base/json.hpp"

#include "fitting/base/error.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/batch.hpp"
#include "pipelines/output_guard.hpp"
#include "tests/robustness/robustness_support.hpp"
#include "tests/test_support.hpp"

using mgscope::test::shell_quoted;

namespace mgscope {
namespace {

using test::write_text;

namespace fs = std::filesystem;

const fs::path kSamples = fs::path(MGSCOPE_SOURCE_DIR) / "samples";

const char* kTable =
    "composition,T_K,minus_dSm_max_JkgK\nA,100,5\nB,150,4.2\nC,200,3.7\nD,250,3.3\nE,300,3.0\n";

// The pid of a process that has certainly ended (forked, exited and reaped).
long dead_pid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status = 0;
  waitpid(pid, &status, 0);
  return pid;
}

TEST(FailedWrites, FileSizeLimitMakesWriteFileAtomicThrowAndLeaveNothing) {
  // RLIMIT_FSIZE stands in for a full disk: writes past it fail with EFBIG (SIGXFSZ ignored).
  // The soft limit only, restored at the end: the tests after this one in the same process (the
  // whole binary run at once) copy files far larger than 16 KiB.
  const fs::path dir = test::scratch_dir("fsize");
  const auto old_handler = signal(SIGXFSZ, SIG_IGN);
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit lim{16384, old.rlim_max};
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
  try {
    write_file_atomic(dir / "big.csv", std::string(200000, 'x'));
    ADD_FAILURE() << "a write past the file-size limit did not throw";
  } catch (const OutputError& e) {  // the path and the system's reason, not a guess
    EXPECT_EQ(std::string(e.what()), (dir / "big.csv").string() + ": cannot write the output file: File too large");
  }
  write_file_atomic(dir / "small.csv", "fits\n");
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, old_handler);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir)) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"small.csv"});  // no big.csv, no temporary
  fs::remove_all(dir);
}

TEST(FailedWrites, CutOffFigureIsAnErrorAndNeverPutInPlace) {
  const fs::path dir = test::scratch_dir("fullfig");
  write_text(dir / "t.csv", kTable);
  // The PNG (about 17 kB) cannot be written whole under an 8 KiB file-size limit; gnuplot exits 0.
  const std::string cmd = "sh -c \"trap '' XFSZ; ulimit -f 8; '" + std::string(MGSCOPE_EXE) + "' powerlaw " +
                          shell_quoted(dir / "t.csv") + " -o " + shell_quoted(dir / "out") + "\"";
  const auto [exit_code, output] = test::run_command(cmd);
  EXPECT_EQ(exit_code, 1) << output;
  EXPECT_NE(output.find("powerlaw.png: gnuplot's PNG is incomplete"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(dir / "out" / "powerlaw.png"));
  for (const auto& e : fs::directory_iterator(dir / "out"))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  fs::remove_all(dir);
}

// An image whose outputs could not be written (a full disk: RLIMIT_FSIZE stands in) was counted
// as a bad input ("2 of 3 inputs failed") with "write failed (disk full?)", errno's reason lost.
// It is an output failure, naming the file and the system's reason, counted apart; nothing
// half-written is left, and the batch goes on to the next image.
TEST(FailedWrites, AnImageWhoseOutputsCannotBeWrittenIsCountedApartFromBadInputs) {
  const fs::path dir = test::scratch_dir("hrtem_full_disk");
  for (const char* seed : {"21", "22"})
    ASSERT_EQ(test::run_mgscope("synth hrtem -o " + shell_quoted(dir) + " --name s" + std::string(seed) +
                                " --width 300 --height 300 --seed " + seed)
                  .exit_code,
              0);
  write_text(dir / "notes.tif", "not an image\n");
  // 64 KiB: the 300 x 300 float maps (360 kB) cannot be written, the small files can.
  const std::string cmd = "sh -c \"trap '' XFSZ; ulimit -f 64; '" + std::string(MGSCOPE_EXE) + "' hrtem " +
                          shell_quoted(dir / "s21.tif") + " " + shell_quoted(dir / "notes.tif") + " " +
                          shell_quoted(dir / "s22.tif") + " -o " + shell_quoted(dir / "out") + "\"";
  const auto [exit_code, output] = test::run_command(cmd);
  EXPECT_EQ(exit_code, 1) << output;
  EXPECT_NE(output.find("File too large"), std::string::npos) << output;  // EFBIG's text, as ENOSPC's would be
  EXPECT_EQ(output.find("disk full?"), std::string::npos) << output;
  EXPECT_NE(output.find("1 of 3 inputs failed:\n  " + (dir / "notes.tif").string() + "\n"), std::string::npos)
      << output;
  EXPECT_NE(output.find("2 of 3 inputs' outputs could not be written:\n  " + (dir / "s21.tif").string() + "\n  " +
                        (dir / "s22.tif").string() + "\n"),
            std::string::npos)
      << output;
  EXPECT_FALSE(fs::exists(dir / "out" / "s21"));
  EXPECT_FALSE(fs::exists(dir / "out" / "s22"));
  for (const auto& e : fs::recursive_directory_iterator(dir / "out"))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  fs::remove_all(dir);
}

// An output folder that cannot be made (-o on a read-only file system, or under a regular file):
// `sample`, `study` and `synth hrtem` printed std::filesystem's text ("filesystem error: cannot
// create directories: Not a directory [...]"), and a sample's lock said the open's "No such file
// or directory" instead of the reason. Every command that takes -o names the folder, what failed
// and the system's reason, and exits 1. The path under a regular file is refused by the kernel
// for any user (root writes into a folder made read-only with chmod).
TEST(FailedWrites, AnOutputFolderThatCannotBeMadeIsNamedWithTheSystemsReason) {
  const fs::path dir = test::scratch_dir("unmakeable_out");
  write_text(dir / "file", "a file, not a folder\n");
  const fs::path out = dir / "file" / "sub";
  const fs::path raw = dir / "raw";
  ASSERT_EQ(test::run_mgscope("synth dsc -o " + shell_quoted(raw) + " --name scan").exit_code, 0);
  ASSERT_EQ(test::run_mgscope("synth mce -o " + shell_quoted(raw) + " --t-step-K 5").exit_code, 0);
  ASSERT_EQ(test::run_mgscope("synth hrtem -o " + shell_quoted(raw) + " --name im --width 256 --height 256").exit_code,
            0);
  write_text(dir / "t.csv", kTable);
  write_text(dir / "s" / "sample.toml",
             "name = \"s\"\n[treatment]\nctc_cycles = 0\n[dsc]\nfiles = [\"../raw/scan.txt\"]\n");
  write_text(dir / "study.toml", "treatment = \"ctc_cycles\"\nsamples = [\"s/sample.toml\"]\n");
  const std::string indent = (kSamples / "indent").string();
  const std::vector<std::string> commands = {
      "hrtem " + shell_quoted(raw / "im.tif"),
      "hrtem --frames all " + shell_quoted(raw / "im.tif"),
      "creep " + shell_quoted(fs::path(indent) / "creep" / "creep_01.csv"),
      "hardness " + shell_quoted(fs::path(indent) / "grid" / "indent_r01_c01.csv"),
      "dsc " + shell_quoted(raw / "scan.txt"),
      "mce --mt " + shell_quoted(raw / "fc.dat") + " --mh " + shell_quoted(raw / "isotherms.dat"),
      "powerlaw " + shell_quoted(dir / "t.csv"),
      "sample " + shell_quoted(dir / "s" / "sample.toml"),
      "study " + shell_quoted(dir / "study.toml"),
      "synth hrtem --width 64 --height 64",
      "synth mce",
      "synth dsc",
      "synth creep",
      "synth indent"};
  const std::string said = out.string() + ": cannot create the output folder: Not a directory";
  for (const std::string& command : commands) {
    const auto r = test::run_mgscope(command + " -o " + shell_quoted(out));
    EXPECT_EQ(r.exit_code, 1) << command << "\n" << r.output;
    EXPECT_NE(r.output.find(said), std::string::npos) << command << "\n" << r.output;
    EXPECT_EQ(r.output.find("filesystem error"), std::string::npos) << command << "\n" << r.output;
  }
  const auto init = test::run_mgscope("init " + shell_quoted(raw) + " -o " +
                                      shell_quoted(out / "sample.toml"));  // -o is the manifest
  EXPECT_EQ(init.exit_code, 1) << init.output;
  EXPECT_NE(init.output.find(said), std::string::npos) << init.output;
  fs::remove_all(dir);
}

TEST(StaleTemporaries, KilledRunsLeftoversAreRemovedLiveOnesKept) {
  const fs::path dir = test::scratch_dir("stale");
  write_text(dir / "t.csv", kTable);
  fs::create_directories(dir / "out");
  const std::string dead = std::to_string(dead_pid()), live = std::to_string(::getpid());
  write_text(dir / "out" / ("powerlaw.json.tmp-" + dead + "-0"), "half a file");
  write_text(dir / "out" / ("powerlaw.png.tmp-" + dead + "-3"), "half a figure");
  write_text(dir / "out" / ("powerlaw.json.tmp-" + live + "-0"), "a live run's");
  write_text(dir / "out" / "powerlaw.json.tmp-notes", "not ours");
  const auto r = test::run_mgscope("powerlaw " + shell_quoted(dir / "t.csv") + " -o " + shell_quoted(dir / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out" / ("powerlaw.json.tmp-" + dead + "-0")));
  EXPECT_FALSE(fs::exists(dir / "out" / ("powerlaw.png.tmp-" + dead + "-3")));
  EXPECT_TRUE(fs::exists(dir / "out" / ("powerlaw.json.tmp-" + live + "-0")));
  EXPECT_TRUE(fs::exists(dir / "out" / "powerlaw.json.tmp-notes"));
  // A stale temporary output folder (OutputFolder) goes the same way.
  fs::create_directories(dir / ("sub.tmp-" + dead + "-1") / "inner");
  remove_stale_temporaries(dir / "sub");
  EXPECT_FALSE(fs::exists(dir / ("sub.tmp-" + dead + "-1")));
  fs::remove_all(dir);
}

TEST(InputsProtected, MceOutputIntoTheInputFolderDoesNotReplaceTheData) {
  const fs::path dir = test::scratch_dir("overwrite");
  fs::copy_file(kSamples / "mce" / "mean_field" / "isotherms.dat", dir / "isotherms.dat");
  const std::string before = test::read_all(dir / "isotherms.dat");
  const auto r = test::run_mgscope("mce --mh " + shell_quoted(dir / "isotherms.dat") + " -o " + shell_quoted(dir));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("isotherms.dat: this output would overwrite an input of the same run"), std::string::npos)
      << r.output;
  EXPECT_EQ(test::read_all(dir / "isotherms.dat"), before);
  fs::remove_all(dir);
}

TEST(InputsProtected, OutputFolderHoldingAnInputIsNotReplaced) {
  const fs::path dir = test::scratch_dir("folderguard");
  write_text(dir / "in.txt", "data");
  note_input((dir / "in.txt").string());
  EXPECT_THROW(refuse_overwriting_inputs(dir), std::runtime_error);
  EXPECT_THROW(refuse_overwriting_inputs(dir / "." / "in.txt"), std::runtime_error);
  EXPECT_NO_THROW(refuse_overwriting_inputs(dir / "other.txt"));
  fs::remove_all(dir);
}

TEST(DistinctNames, SameFileNameInTwoFoldersGetsTwoFigures) {
  EXPECT_EQ(distinct_stems({"X/fc.dat", "Y/fc.dat", "Z/fc.csv", "fc_2.dat"}),
            (std::vector<std::string>{"fc", "fc_2", "fc_3", "fc_2_2"}));
  const fs::path dir = test::scratch_dir("samename");
  fs::create_directories(dir / "A");
  fs::create_directories(dir / "B");
  fs::copy_file(kSamples / "mce" / "mean_field" / "fc.dat", dir / "A" / "fc.dat");
  fs::copy_file(kSamples / "mce" / "bean_rodbell" / "fc.dat", dir / "B" / "fc.dat");
  const auto r = test::run_mgscope("mce --mt " + shell_quoted(dir / "A" / "fc.dat") + " " +
                                   shell_quoted(dir / "B" / "fc.dat") + " -o " + shell_quoted(dir / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(test::read_all(dir / "out" / "mce.json"));
  ASSERT_EQ(j.at("curie").size(), 2u);
  EXPECT_EQ(j["curie"][0]["figure"], "mt_fc.png");
  EXPECT_EQ(j["curie"][1]["figure"], "mt_fc_2.png");
  EXPECT_TRUE(fs::exists(dir / "out" / "mt_fc.gp"));
  EXPECT_TRUE(fs::exists(dir / "out" / "mt_fc_2.gp"));
  fs::remove_all(dir);
}

TEST(DuplicateInputs, SameFileByPathOrContentIsAnalysedOnce) {
  const fs::path dir = test::scratch_dir("dups");
  write_text(dir / "a.txt", "one");
  write_text(dir / "copy.txt", "one");
  write_text(dir / "b.txt", "two");
  fs::create_hard_link(dir / "a.txt", dir / "link.txt");
  const std::string a = (dir / "a.txt").string(), dot = (dir / "." / "a.txt").string();
  std::vector<std::string> seen;
  std::ostringstream err;
  const BatchResult r = run_batch({a, dot, (dir / "copy.txt").string(), (dir / "b.txt").string(),
                                   (dir / "link.txt").string()},
                                  [&](const std::string& f) { seen.push_back(f); }, err);
  EXPECT_EQ(seen, (std::vector<std::string>{a, (dir / "b.txt").string()}));
  EXPECT_EQ(r.succeeded, 2);
  ASSERT_EQ(r.warnings.size(), 3u);
  EXPECT_EQ(r.warnings[0], dot + " is the same file as " + a + ": analysed once");
  EXPECT_NE(r.warnings[1].find("copy.txt has the same content as " + a), std::string::npos);
  EXPECT_NE(err.str().find("WARNING: " + dot), std::string::npos);

  // Through the command line: `info a.tif ./a.tif` describes one image.
  fs::copy_file(kSamples / "hrtem" / "ascast_1.tif", dir / "img.tif");
  const auto cli =
      test::run_mgscope("info --json " + shell_quoted(dir / "img.tif") + " " + shell_quoted(dir / "." / "img.tif"));
  ASSERT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_NE(cli.output.find("WARNING: " + (dir / "." / "img.tif").string() + " is the same file as"),
            std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(cli.output.substr(cli.output.find("\n[") + 1)).size(), 1u);
  fs::remove_all(dir);
}

TEST(OddNames, ByteFFInAFileNameGivesValidJson) {
  const fs::path dir = test::scratch_dir("oddname");
  const fs::path odd = dir / "sample\xff.tif";
  fs::copy_file(kSamples / "hrtem" / "ascast_1.tif", odd);
  const auto r = test::run_mgscope("info --json " + shell_quoted(odd));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output.substr(r.output.find('[')));  // throws on invalid UTF-8
  EXPECT_NE(j.at(0).at("path").get<std::string>().find("sample\xEF\xBF\xBD.tif"), std::string::npos);

  const fs::path dsc = dir / "run\xff.csv";
  fs::copy_file(kSamples / "dsc" / "generic_example.csv", dsc);
  const auto d = test::run_mgscope("dsc " + shell_quoted(dsc) + " -o " + shell_quoted(dir / "dsc"));
  EXPECT_EQ(d.exit_code, 0) << d.output;
  EXPECT_NO_THROW(EXPECT_TRUE(nlohmann::json::parse(test::read_all(dir / "dsc" / "summary.json")).is_object()));
  fs::remove_all(dir);
}

TEST(ModuleParent, AModuleWhoseSampleRunHasEndedStopsAtOnce) {
  // `sample` starts each module with MGSCOPE_PARENT_PID set to itself; the module asks to die
  // with it (PR_SET_PDEATHSIG) and, if the parent is already gone, stops before doing anything.
  const fs::path dir = test::scratch_dir("orphan");
  write_text(dir / "t.csv", kTable);
  const std::string cmd = "MGSCOPE_PARENT_PID=" + std::to_string(dead_pid()) + " '" + std::string(MGSCOPE_EXE) +
                          "' powerlaw " + shell_quoted(dir / "t.csv") + " -o " + shell_quoted(dir / "out");
  const auto [exit_code, output] = test::run_command(cmd);
  EXPECT_EQ(exit_code, 1) << output;
  EXPECT_NE(output.find("the mgscope run that started this module"), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(dir / "out"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mgscope
