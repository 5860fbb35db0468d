// The module/report contract: every key the report reads from a module's summary
// (pipelines/module_summaries.cpp) is declared in that module's schema in docs/schemas/ (and
// required there when the report cannot do without it), and every schema rejects a summary whose
// keys were renamed. The modules' real outputs are validated against the schemas in
// sample_test.cpp (the demo study) and the command tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "fitting/base/json.hpp"

#include "pipelines/module_summaries.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSchemas = fs::path(MGSCOPE_SOURCE_DIR) / "docs" / "schemas";

json load(const fs::path& p) { return json::parse(test::read_all(p)); }

// A node with its "#/definitions/..." reference followed.
const json& resolved(const json& root, const json& node) {
  if (!node.contains("$ref")) return node;
  const std::string ref = node["$ref"].get<std::string>();
  const std::string prefix = "#/definitions/";
  EXPECT_EQ(ref.rfind(prefix, 0), 0u) << ref;
  return root.at("definitions").at(ref.substr(prefix.size()));
}

bool listed(const json& node, const char* list, const std::string& name) {
  if (!node.contains(list)) return false;
  const json& l = node[list];
  return std::find(l.begin(), l.end(), json(name)) != l.end();
}

// Walks `path` through the schema; an empty string when every step is declared (and required
// where `required`), else what is wrong.
std::string check_path(const json& root, const SummaryKeyUse& use) {
  const json* node = &root;
  std::string where;
  for (const std::string& step : use.path) {
    node = &resolved(root, *node);
    where += "/" + step;
    if (step == "[]") {
      if (!node->contains("items")) return where + ": not an array of declared items";
      node = &(*node)["items"];
    } else if (step == "*") {
      if (!node->contains("additionalProperties") || !(*node)["additionalProperties"].is_object())
        return where + ": members are not declared";
      node = &(*node)["additionalProperties"];
    } else {
      if (!node->contains("properties") || !(*node)["properties"].contains(step)) return where + ": not declared";
      if (use.required && !listed(*node, "required", step))
        return where + ": the report needs it, the schema does not require it";
      node = &(*node)["properties"][step];
    }
  }
  node = &resolved(root, *node);
  const bool typed = node->contains("type") || node->contains("const") || node->contains("enum");
  return typed ? "" : where + ": declared without a type";
}

TEST(SummarySchemas, EveryKeyTheReportReadsIsDeclared) {
  const std::vector<SummaryKeyUse> uses = summary_keys_read();
  ASSERT_GT(uses.size(), 40u);
  std::set<std::string> schemas;
  for (const SummaryKeyUse& use : uses) {
    schemas.insert(use.schema);
    const json root = load(kSchemas / use.schema);
    std::string path;
    for (const auto& s : use.path) path += "." + s;
    EXPECT_EQ(check_path(root, use), "") << use.schema << " " << path;
  }
  EXPECT_EQ(schemas.size(), 7u);  // hrtem, hrtem.series, dsc, creep, hardness, mce, powerlaw
}

// The walk can fail: a key the report reads under another name is caught.
TEST(SummarySchemas, WalkerCatchesARenamedKey) {
  const json root = load(kSchemas / "creep.summary.schema.json");
  EXPECT_EQ(check_path(root, {"creep.summary.schema.json", {"repeats", "tau1_s", "mean"}, false}), "");
  EXPECT_NE(check_path(root, {"creep.summary.schema.json", {"repeats", "tau_1_s", "mean"}, false}), "");
  EXPECT_NE(check_path(root, {"creep.summary.schema.json", {"figure_warnings", "[]", "x"}, false}), "");
  const json hrtem = load(kSchemas / "hrtem.summary.schema.json");
  EXPECT_EQ(check_path(hrtem, {"hrtem.summary.schema.json", {"classes", "*", "boxes"}, true}), "");
  EXPECT_NE(check_path(hrtem, {"hrtem.summary.schema.json", {"metadata", "*", "x"}, true}), "");
}

// The check that every key of an output is declared (tests/schema_undeclared_keys.py, run on the real
// outputs by the command tests and the demo study): it follows $ref, oneOf and additionalProperties,
// looks into arrays, leaves an object declared without members alone, and names what is missing.
TEST(SummarySchemas, UndeclaredKeysAreFoundWhereverTheyAre) {
  const fs::path dir = test::scratch_dir("undeclared_keys");
  std::ofstream(dir / "schema.json") << R"({"definitions": {"point": {"type": "object", "properties": {"x": {}}}},
    "type": "object", "properties": {
      "points": {"type": "array", "items": {"$ref": "#/definitions/point"}},
      "fit": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {"n": {}}}]},
      "units": {"type": "object", "additionalProperties": {"type": "string"}},
      "free": {"type": "object"}}})";
  std::ofstream(dir / "declared.json")
      << R"({"points": [{"x": 1}], "fit": {"n": 2}, "units": {"any": "K"}, "free": {"anything": 1}})";
  std::ofstream(dir / "undeclared.json")
      << R"({"points": [{"x": 1}, {"x": 2, "y": 3}], "fit": {"n": 2, "se": 0.1}, "extra": true, "free": {}})";
  const test::RunResult ok = test::undeclared_keys_of(dir / "schema.json", {dir / "declared.json"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  const test::RunResult bad = test::undeclared_keys_of(dir / "schema.json", {dir / "undeclared.json"});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("/points/[]/y is not declared"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("/fit/se is not declared"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("/extra is not declared"), std::string::npos) << bad.output;
  EXPECT_EQ(test::count_of(bad.output, "is not declared"), 3u) << bad.output;
  // --validate: the same run validates too (exit code + 2), as `python3 -m jsonschema` does.
  if (!test::have_jsonschema()) GTEST_SKIP() << "python3-jsonschema is missing (scripts/install-deps.sh)";
  std::ofstream(dir / "invalid.json") << R"({"points": [{"x": 1}], "fit": 3})";
  const test::RunResult valid = test::undeclared_keys_of(dir / "schema.json", {dir / "declared.json"}, true);
  EXPECT_EQ(valid.exit_code, 0) << valid.output;
  const test::RunResult invalid = test::undeclared_keys_of(dir / "schema.json", {dir / "invalid.json"}, true);
  EXPECT_EQ(invalid.exit_code, 2) << invalid.output;
  EXPECT_NE(invalid.output.find("invalid.json: /fit: 3 is not valid under any of the given schemas"), std::string::npos)
      << invalid.output;
  const test::RunResult both =
      test::undeclared_keys_of(dir / "schema.json", {dir / "invalid.json", dir / "undeclared.json"}, true);
  EXPECT_EQ(both.exit_code, 3) << both.output;
}

// Every schema is itself valid and says no to a summary without its required keys.
TEST(SummarySchemas, EverySchemaRejectsASummaryWithRenamedKeys) {
  if (!test::have_jsonschema()) GTEST_SKIP() << "python3-jsonschema is missing (scripts/install-deps.sh)";
  const fs::path dir = test::scratch_dir("summary_schemas");
  const fs::path wrong = dir / "renamed.json";
  std::ofstream(wrong) << R"({"summary": {}, "Samples": [], "Repeats": {}, "input_file": "x"})";
  int schemas = 0;
  for (const auto& e : fs::directory_iterator(kSchemas)) {
    if (e.path().extension() != ".json") continue;
    ++schemas;
    const auto r = test::undeclared_keys_of(e.path(), {wrong}, /*validate=*/true);
    EXPECT_TRUE(r.exit_code & 2) << e.path() << " accepted " << wrong << ":\n" << r.output;
    EXPECT_NE(r.output.find("is a required property"), std::string::npos) << e.path() << ":\n" << r.output;
  }
  // report, study + hrtem, hrtem series, hrtem spot calibration, creep, hardness, dsc, mce, powerlaw
  EXPECT_EQ(schemas, 10);
}

}  // namespace
}  // namespace mgscope
