// Per-input error isolation for every subcommand that takes several files.
#include "pipelines/batch.hpp"

#include <exception>
#include <ostream>

namespace mgscope {

BatchResult run_batch(const std::vector<std::string>& inputs,
                      const std::function<void(const std::string&)>& job, std::ostream& err) {
  BatchResult r;
  for (const std::string& in : inputs) {
    try {
      job(in);
      ++r.succeeded;
    } catch (const std::exception& e) {
      err << "ERROR: " << e.what() << '\n';
      r.failures.push_back({in, e.what()});
    }
  }
  if (!r.failures.empty()) {
    err << r.failures.size() << " of " << inputs.size() << " inputs failed:\n";
    for (const auto& f : r.failures) err << "  " << f.input << '\n';
  }
  return r;
}

}  // namespace mgscope
