// Finding and loading modules (fitting/base/module_paths): the baked list with @exe, the
// environment variable that overrides it, and the first candidate that loads and is accepted.
#include "fitting/base/module_paths.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <string>

namespace mgscope {

TEST(ModulePaths, ExeStandsForTheProgramsFolderAndTheEnvironmentOverridesAll) {
  const std::string exe_dir = std::filesystem::read_symlink("/proc/self/exe").parent_path().string();
  const auto paths = module_paths("@exe/../lib/mgscope/libx.so:/opt/x/libx.so::/build/libx.so");
  ASSERT_EQ(paths.size(), 3u);
  EXPECT_EQ(paths[0], (std::filesystem::path(exe_dir).parent_path() / "lib/mgscope/libx.so").string());
  EXPECT_EQ(paths[1], "/opt/x/libx.so");
  EXPECT_EQ(paths[2], "/build/libx.so");
  ::unsetenv("MGSCOPE_TEST_MODULE");
  EXPECT_EQ(module_candidates("MGSCOPE_TEST_MODULE", "/a.so:/b.so").size(), 2u);
  ::setenv("MGSCOPE_TEST_MODULE", "/only/here.so", 1);
  const auto only = module_candidates("MGSCOPE_TEST_MODULE", "/a.so:/b.so");
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0], "/only/here.so");
  ::unsetenv("MGSCOPE_TEST_MODULE");
}

// libm stands in for a module: it loads, and has the C symbol "cos".
TEST(ModulePaths, LoadsTheFirstAcceptedAndSaysWhyTheOthersWerePassedOver) {
  std::string errors;
  const auto take = [](void*) { return std::string(); };
  void* cos_symbol = load_module_entry({"/no/such/libx.so", "libm.so.6"}, "cos", RTLD_NOW | RTLD_LOCAL, take, errors);
  ASSERT_NE(cos_symbol, nullptr) << errors;
  EXPECT_EQ(reinterpret_cast<double (*)(double)>(cos_symbol)(0.0), 1.0);
  EXPECT_NE(errors.find("\n  /no/such/libx.so: cannot open shared object file"), std::string::npos) << errors;

  errors.clear();
  const auto refuse = [](void*) { return std::string("built for another version of mgscope"); };
  EXPECT_EQ(load_module_entry({"libm.so.6"}, "cos", RTLD_NOW | RTLD_LOCAL, refuse, errors), nullptr);
  EXPECT_EQ(errors, "\n  libm.so.6: built for another version of mgscope");

  errors.clear();
  EXPECT_EQ(load_module_entry({"libm.so.6"}, "mgscope_no_such_entry", RTLD_NOW | RTLD_LOCAL, take, errors), nullptr);
  EXPECT_EQ(errors, "\n  libm.so.6: no mgscope_no_such_entry");
}

}  // namespace mgscope
