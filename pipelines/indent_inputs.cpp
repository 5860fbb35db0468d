// Input reading and threading for the nanoindentation subcommands.
#include "pipelines/indent_inputs.hpp"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "fitting/indent_readers.hpp"

namespace mgscope {

IndentInputs read_indent_inputs(const std::vector<std::string>& files, const std::optional<std::string>& positions_file,
                                std::ostream& err) {
  IndentInputs in;
  std::vector<IndentPosition> positions;
  if (positions_file) positions = read_indent_positions(*positions_file);  // a bad positions file stops the run
  in.read = run_batch(files, [&](const std::string& path) {
    std::vector<IndentCurve> curves = read_indent_file(path);
    apply_positions(curves, positions);
    for (IndentCurve& c : curves) in.curves.push_back(std::move(c));
  }, err);
  return in;
}

void parallel_for(std::size_t n, int threads, const std::function<void(std::size_t)>& fn) {
  const std::size_t workers = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, threads)));
  if (workers <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  for (std::size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&]() {
      for (std::size_t i = next++; i < n; i = next++) fn(i);
    });
  }
  for (std::thread& t : pool) t.join();
}

std::string curve_label(const std::string& source) {
  const auto zip = source.rfind(".zip:");
  return zip != std::string::npos ? source.substr(zip + 5) : std::filesystem::path(source).filename().string();
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace mgscope
