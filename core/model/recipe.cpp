// The recipe export and its reader (core/model/recipe.h).
#include "core/model/recipe.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <set>

namespace qs {

namespace {

constexpr const char* kSchema = "quantscope.recipe/1";

} // namespace

const RecipeTensor* Recipe::find(const std::string& name) const {
  for (const RecipeTensor& t : tensors)
    if (t.name == name)
      return &t;
  return nullptr;
}

Recipe recipeFromPlan(const ModelPlan& plan) {
  Recipe r;
  r.model = plan.model;
  for (const TensorChoice& c : plan.tensors) {
    RecipeTensor t;
    t.name = c.name;
    t.keep = c.format.empty();
    if (!t.keep) {
      t.config = plan.base;
      t.config.format = c.format;
    }
    r.tensors.push_back(std::move(t));
  }
  return r;
}

std::string recipeToJson(const Recipe& recipe, int indent) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["schema"] = kSchema;
  j["model"] = recipe.model;
  ordered_json tensors = ordered_json::array();
  for (const RecipeTensor& t : recipe.tensors) {
    ordered_json e;
    e["name"] = t.name;
    if (t.keep)
      e["keep"] = true;
    else
      e["config"] = ordered_json::parse(configToJson(t.config, -1));
    tensors.push_back(std::move(e));
  }
  j["tensors"] = std::move(tensors);
  return j.dump(indent < 0 ? -1 : indent);
}

Recipe recipeFromJson(const std::string& text, const std::string& label) {
  using nlohmann::json;
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(label + ": not a recipe: invalid JSON: " + e.what());
  }
  auto fail = [&](const std::string& what) { throw Error(label + ": " + what); };
  if (!j.is_object())
    fail("not a recipe: the top level is not an object");
  if (!j.contains("schema") || !j["schema"].is_string())
    fail("not a recipe: no \"schema\"");
  if (j["schema"].get<std::string>() != kSchema)
    fail("unsupported schema '" + j["schema"].get<std::string>() + "' (expected " + kSchema + ")");
  Recipe r;
  if (j.contains("model")) {
    if (!j["model"].is_string())
      fail("\"model\" must be a string");
    r.model = j["model"].get<std::string>();
  }
  if (!j.contains("tensors") || !j["tensors"].is_array())
    fail("\"tensors\" must be an array");
  std::set<std::string> seen;
  size_t index = 0;
  for (const json& e : j["tensors"]) {
    const std::string where = "tensors[" + std::to_string(index++) + "]";
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string())
      fail(where + " needs a string \"name\"");
    RecipeTensor t;
    t.name = e["name"].get<std::string>();
    if (!seen.insert(t.name).second)
      fail("tensor '" + t.name + "' appears twice");
    for (const auto& [key, value] : e.items())
      if (key != "name" && key != "keep" && key != "config")
        fail(where + " ('" + t.name + "'): unknown key '" + key + "'");
    const bool hasKeep = e.contains("keep"), hasConfig = e.contains("config");
    if (hasKeep == hasConfig)
      fail(where + " ('" + t.name + "') needs exactly one of \"keep\" and \"config\"");
    if (hasKeep) {
      if (!e["keep"].is_boolean() || !e["keep"].get<bool>())
        fail(where + " ('" + t.name + "'): \"keep\" must be true");
      t.keep = true;
    } else {
      if (!e["config"].is_object())
        fail(where + " ('" + t.name + "'): \"config\" must be an object");
      try {
        t.config = configFromJson(e["config"].dump());
      } catch (const Error& err) {
        fail("tensor '" + t.name + "': " + err.what());
      }
    }
    r.tensors.push_back(std::move(t));
  }
  return r;
}

} // namespace qs
