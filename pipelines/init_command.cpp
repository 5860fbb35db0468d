// `mgscope init DIR`: writes DIR/sample.toml from the measurement files it recognises there.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "fitting/base/error.hpp"
#include "fitting/base/input_file.hpp"
#include "fitting/io/indent_readers.hpp"
#include "imaging/io/image_frames.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/io/ser_reader.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/folder_name.hpp"
#include "pipelines/measurement_sniffer.hpp"
#include "pipelines/output_record.hpp"
#include "pipelines/sample_manifest.hpp"

namespace mgscope {

namespace fs = std::filesystem;

namespace {

struct InitCli {
  std::string dir;
  std::string out;  // default DIR/sample.toml
  bool force = false;
};

std::string toml_string(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

std::string toml_list(const std::vector<std::string>& items) {
  std::string s = "[";
  for (std::size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + toml_string(items[i]);
  return s + "]";
}

// NanoTest exports saved both as single .txt files and inside a .zip of the same folder tree: a
// .txt whose curve equals a zip member's (time, depth and load, value for value; the file may have
// been renamed) is one indentation exported twice. Returns .txt path -> (zip path, member name).
std::map<std::string, std::pair<std::string, std::string>> exported_twice(
    const std::map<std::string, SniffedFile>& sniffed) {
  // Told apart by the sniffer's kind (the indentation readers' format names), so no file is
  // examined twice.
  auto is = [](const SniffedFile& f, IndentFormat format) { return f.kind.rfind(indent_format_name(format), 0) == 0; };
  auto content_key = [](const IndentCurve& c) {
    std::string bytes;
    for (const std::vector<double>* v : {&c.time_s, &c.depth_nm, &c.load_mN})
      bytes.append(reinterpret_cast<const char*>(v->data()), v->size() * sizeof(double)).push_back('|');
    return bytes;
  };
  std::map<std::string, std::pair<std::string, std::string>> zipped;  // curve bytes -> (zip, member)
  for (const auto& [p, f] : sniffed) {
    if (!is(f, IndentFormat::nanotest_zip)) continue;
    try {
      std::vector<MemberFailure> not_curves;  // reported when the sample runs
      for (const IndentCurve& c : read_nanotest_zip(p, &not_curves))
        zipped.emplace(content_key(c), std::make_pair(p, c.source.substr(c.source.rfind(':') + 1)));
    } catch (const std::exception&) {  // a damaged zip is reported when the sample runs
    }
  }
  std::map<std::string, std::pair<std::string, std::string>> twice;
  if (zipped.empty()) return twice;
  for (const auto& [p, f] : sniffed) {
    if (!is(f, IndentFormat::nanotest_txt)) continue;
    try {
      const std::vector<IndentCurve> curves = read_indent_file(p);
      if (curves.size() != 1) continue;
      if (const auto z = zipped.find(content_key(curves[0])); z != zipped.end()) twice[p] = z->second;
    } catch (const std::exception&) {
    }
  }
  return twice;
}

// The files under DIR to sniff, and what the walk passed over, each with why. Paths are as the
// user reaches them (through a followed link), relative to the manifest's folder.
struct FolderWalk {
  std::vector<std::string> files;
  // A FIFO, socket or device (or a link to one, or a broken link) is never opened (a FIFO blocks
  // its reader for ever) but listed with what it is: skipped without a word, it looked forgotten.
  std::vector<std::string> special;
  std::vector<std::string> outputs;       // mgscope's own output folders, passed over
  std::vector<std::string> folder_links;  // each link to a folder, followed or not and why
  std::vector<std::string> aliases;       // other paths (links) of a file in `files`
  std::size_t links_followed = 0;
};

bool holds(const fs::path& folder, const fs::path& p) {  // both canonical; a folder holds itself
  const fs::path r = p.lexically_relative(folder);
  return !r.empty() && *r.begin() != "..";
}

// A folder link had been skipped without a word (a shared data folder linked in was simply
// missing from the manifest). One outside DIR is followed, once: the user linked it to be part of
// the sample. One inside DIR is not: its files are listed under their own paths. One that holds
// DIR is a loop. Every folder is searched at most once (by its canonical path), so links never loop.
class FolderWalker {
 public:
  FolderWalker(const fs::path& dir, fs::path base) : base_(std::move(base)), dir_real_(fs::canonical(dir)) {
    searched_.insert(dir_real_);
  }
  FolderWalk walk(const fs::path& dir) {
    folder(dir);
    list_each_file_once();
    for (auto* list : {&found_.files, &found_.special, &found_.outputs, &found_.folder_links, &found_.aliases})
      std::sort(list->begin(), list->end());
    return std::move(found_);
  }

 private:
  std::string rel(const fs::path& p) const {
    return fs::absolute(p).lexically_normal().lexically_relative(base_).generic_string();
  }

  // mgscope's own outputs (an hrtem run keeps .mgscope-records, a sample's modules
  // .mgscope-stamp.json, an analysis command its output record) are not measurements: their float
  // maps had been listed as HRTEM micrographs, their ImageJ ROI sets as NanoTest zips, and a
  // hardness map's figure data (x, y, H columns) as indentation curves. A generator's record
  // does not count: its files are the inputs.
  bool output_folder(const fs::path& p) {
    std::error_code ec;
    bool ours = fs::exists(p / ".mgscope-records", ec) || fs::exists(p / ".mgscope-stamp.json", ec);
    for (const char* command :
         {kHardnessCommand, kCreepCommand, kDscCommand, kMceCommand, kPowerlawCommand, kStudyCommand})
      ours = ours || fs::exists(p / output_record_name(command), ec);
    if (!ours) return false;
    found_.outputs.push_back(rel(p) + "/");
    return true;
  }

  void folder(const fs::path& f) {
    std::vector<fs::directory_entry> entries(fs::directory_iterator(f), fs::directory_iterator{});
    // In name order, so that of two links to one folder the same one is followed on every run.
    std::sort(entries.begin(), entries.end());
    for (const fs::directory_entry& e : entries) {
      if (e.path().filename().string().rfind('.', 0) == 0) continue;  // hidden files and folders (stamps, editors)
      std::error_code ec;
      if (e.is_directory(ec)) {
        if (e.is_symlink(ec)) {
          folder_link(e.path());
        } else if (!output_folder(e.path()) && searched_.insert(fs::canonical(e.path())).second) {
          folder(e.path());
        }
        continue;
      }
      if (!e.is_regular_file(ec)) {
        try {
          require_regular_file(e.path().string());  // throws, saying what the entry is
        } catch (const InputError& err) {
          const std::string why = err.what();
          found_.special.push_back(rel(e.path()) + why.substr(std::min(why.size(), e.path().string().size())));
        }
        continue;
      }
      if (e.path().extension() == ".toml") continue;
      const fs::path real = fs::canonical(e.path(), ec);
      const int indirection = (e.is_symlink(ec) ? 1 : 0) + (in_followed_link_ ? 1 : 0);
      reached_[ec ? fs::absolute(e.path()) : real].push_back({indirection, e.path().string()});
    }
  }

  // A file and a link to it had been listed as two measurements (one DSC scan counted twice):
  // each real file is listed once, under its most direct path (no link on the way, else by name).
  void list_each_file_once() {
    for (auto& [real, paths] : reached_) {
      std::sort(paths.begin(), paths.end());
      found_.files.push_back(paths[0].second);
      for (std::size_t k = 1; k < paths.size(); ++k)
        found_.aliases.push_back(rel(paths[k].second) + ": the same file as " + rel(paths[0].second) +
                                 " (listed once, under that path)");
    }
  }

  void folder_link(const fs::path& link) {
    const fs::path target = fs::canonical(link);
    const std::string shown = rel(link) + " -> " + fs::read_symlink(link).generic_string() + ": ";
    auto not_followed = [&](const std::string& why) { found_.folder_links.push_back(shown + "not followed: " + why); };
    if (holds(target, dir_real_)) return not_followed("it holds this folder (a loop)");
    if (holds(dir_real_, target)) return not_followed("a folder inside this one, searched under its own path");
    for (const auto& [root, via] : followed_)
      if (holds(root, target)) return not_followed("already searched through " + via);
    if (output_folder(link)) return;
    found_.folder_links.push_back(shown + "followed (a folder outside this one: " + target.string() + ")");
    ++found_.links_followed;
    followed_.emplace(target, rel(link));
    searched_.insert(target);
    ++in_followed_link_;
    folder(link);
    --in_followed_link_;
  }

  fs::path base_, dir_real_;
  std::set<fs::path> searched_;               // canonical folders searched, or being searched
  std::map<fs::path, std::string> followed_;  // canonical target -> the link it was searched through
  // canonical file -> (links on the way, path as reached) for each path it was reached by
  std::map<fs::path, std::vector<std::pair<int, std::string>>> reached_;
  int in_followed_link_ = 0;
  FolderWalk found_;
};

int run_init(const InitCli& cli) {
  const fs::path dir(cli.dir);
  if (!fs::is_directory(dir)) throw InputError(cli.dir + ": not a folder");
  const fs::path out = cli.out.empty() ? dir / "sample.toml" : fs::path(cli.out);
  if (fs::exists(out) && !cli.force)
    throw InputError(out.string() + ": exists; give --force to overwrite it (or -o another file)");
  const fs::path base = fs::absolute(out).parent_path();

  const FolderWalk walked = FolderWalker(dir, base).walk(dir);
  const std::vector<std::string>& paths = walked.files;
  const std::vector<std::string>& special = walked.special;
  const std::vector<std::string>& outputs = walked.outputs;

  // module -> role ("files" or a path option) -> manifest-relative paths
  std::map<std::string, std::map<std::string, std::vector<std::string>>> found;
  std::vector<std::string> unclassified, to_check, companions, stacks;
  // A TIA .emi holds the metadata of the NAME_N.ser series beside it: the SER reader reads it with
  // the .ser (emi_path_for is its rule), so it is no measurement of its own.
  std::map<std::string, std::string> ser_of_emi;
  for (const std::string& p : paths) {
    std::string ext = fs::path(p).extension().string();
    for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".ser")
      if (const std::string emi = emi_path_for(p); !emi.empty()) ser_of_emi.emplace(emi, p);
  }
  std::map<std::string, SniffedFile> sniffed;
  for (const std::string& p : paths)
    if (!ser_of_emi.count(p)) sniffed.emplace(p, sniff_measurement_file(p));
  const auto in_zip = exported_twice(sniffed);
  for (const std::string& p : paths) {
    const std::string rel = fs::absolute(p).lexically_normal().lexically_relative(base).generic_string();
    if (const auto z = in_zip.find(p); z != in_zip.end()) {
      const std::string zip_rel =
          fs::absolute(z->second.first).lexically_normal().lexically_relative(base).generic_string();
      companions.push_back(rel + ": the same indentation as member '" + z->second.second + "' of " + zip_rel +
                           " (exported twice: counted once, from the zip)");
      continue;
    }
    if (const auto ser = ser_of_emi.find(p); ser != ser_of_emi.end()) {
      companions.push_back(rel + ": metadata of " + fs::path(ser->second).filename().string() + " (read with it)");
      continue;
    }
    const SniffedFile& s = sniffed.at(p);
    if (s.modules.empty()) {
      unclassified.push_back(rel + ": " + s.kind);
      continue;
    }
    // A stack is analysed as its first frame unless the manifest asks for the series: say so,
    // without guessing which the user wants. A microscope file that holds no 2-D image (an EELS
    // spectrum, a line scan: DM3 and SER hold those too) is no micrograph: it is left out.
    if (s.modules == std::vector<std::string>{"hrtem"}) {
      try {
        if (const int frames = ImageFrames(p).frames(); frames > 1)
          stacks.push_back(rel + ": holds " + std::to_string(frames) +
                           " frames; hrtem reads its first unless [hrtem] options has frames = \"all\" (an in-situ "
                           "series, docs/hrtem.md)");
      } catch (const std::exception& e) {  // a damaged image is reported when the sample runs
        const std::string why = e.what();
        if (const std::size_t at = why.find(kNotAnImage); at != std::string::npos) {
          unclassified.push_back(rel + ": " + why.substr(at));
          continue;
        }
      }
    }
    for (const std::string& m : s.modules) found[m][s.role].push_back(rel);
    if (s.modules.size() > 1) to_check.push_back(rel + ": " + s.kind);
  }

  std::ostringstream o;
  o << "# Sample manifest written by `mgscope init " << cli.dir << "`; check it, then run\n"
    << "#   mgscope sample " << out.string() << " -o OUTDIR\n"
    << "# Paths are relative to this file; globs (*, ?, [..]) are allowed. docs/report.md has every key.\n"
    << "name = " << toml_string(folder_own_name(dir)) << "\n"  // the sample's name until the user gives another
    << "composition = \"\"\n\n[treatment]\n# ctc_cycles = 20\n";
  for (const ModuleSpec& spec : report_modules()) {
    auto it = found.find(spec.name);
    if (it == found.end()) continue;
    o << "\n[" << spec.name << "]\n";
    std::vector<std::string> options;
    for (const auto& [role, files] : it->second) {
      if (role == "files") o << "files = " << toml_list(files) << "\n";
      else options.push_back(role + " = " + (files.size() == 1 ? toml_string(files[0]) : toml_list(files)));
    }
    o << "options = {";
    for (std::size_t i = 0; i < options.size(); ++i) o << (i ? ", " : " ") << options[i];
    o << (options.empty() ? "}" : " }") << "\n";
  }
  auto comment_list = [&](const char* title, const std::vector<std::string>& lines) {
    if (lines.empty()) return;
    o << "\n# " << title << ":\n";
    for (const std::string& n : lines) o << "#   " << n << "\n";
  };
  comment_list("Not classified (left out)", unclassified);
  comment_list("To check (could be more than one measurement)", to_check);
  comment_list("Companion files (read with their measurement)", companions);
  comment_list("Other paths of a listed file (links: read once)", walked.aliases);
  comment_list("Image stacks (frame by frame with frames = \"all\")", stacks);
  comment_list("Not regular files (skipped, never opened)", special);
  comment_list("mgscope output folders (skipped)", outputs);
  comment_list("Folder links (one outside this folder is followed, once)", walked.folder_links);
  write_file_atomic(out, o.str());
  std::printf("wrote %s:", out.string().c_str());
  for (const auto& [m, roles] : found) {
    std::size_t n = 0;
    for (const auto& [r, f] : roles) n += f.size();
    std::printf(" %s (%zu file%s)", m.c_str(), n, n == 1 ? "" : "s");
  }
  std::printf("%s; %zu file(s) not classified", found.empty() ? " no measurement recognised" : "", unclassified.size());
  if (!companions.empty()) std::printf(", %zu companion file(s)", companions.size());
  if (!walked.aliases.empty()) std::printf(", %zu link(s) to a listed file", walked.aliases.size());
  if (!to_check.empty()) std::printf(", %zu to check", to_check.size());
  if (!special.empty()) std::printf(", %zu not a regular file (skipped: listed in the manifest)", special.size());
  if (!outputs.empty()) std::printf(", %zu mgscope output folder(s) skipped", outputs.size());
  if (!walked.folder_links.empty())
    std::printf(", %zu folder link(s), %zu followed (listed in the manifest)", walked.folder_links.size(),
                walked.links_followed);
  std::printf("\n");
  return 0;
}

}  // namespace

void add_init_command(CLI::App& app, CommandContext& ctx) {
  auto cli = std::make_shared<InitCli>();
  CLI::App* cmd = app.add_subcommand(
      kInitCommand, "Write a sample manifest (DIR/sample.toml) from the measurement files recognised in a folder "
              "(by content: images, Quantum Design, TA, NETZSCH, NanoTest, TriboScan, generic CSV)");
  cmd->add_option("dir", cli->dir, "Folder of one sample's raw files (searched recursively)")->required();
  cmd->add_option("-o,--out", cli->out, "Manifest to write [default: DIR/sample.toml]");
  cmd->add_flag("--force", cli->force, "Overwrite an existing manifest");
  cmd->callback([cli, &ctx]() { ctx.exit_code = run_init(*cli); });
}

}  // namespace mgscope
