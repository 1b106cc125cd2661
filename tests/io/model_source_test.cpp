// openModel: a Hugging Face sharded folder, a folder without an index, several
// files, one file; the broken variants and their messages; laziness and speed.
#include "core/io/model_source.h"
#include "io_test_util.h"

#include <chrono>
#include <fcntl.h>
#include <unistd.h>

using namespace qs;
using namespace qs::test;

namespace {

namespace fs = std::filesystem;

fs::path folders() {
  return generateFixtures("make_model_folders.py", "model_folders");
}

nlohmann::json expected() {
  std::ifstream f(folders() / "expected.json");
  return nlohmann::json::parse(f);
}

// Every expected tensor: listed in order with its shape, dtype and file; read
// whole, by rows and with progress, value for value.
void checkTensors(const TensorSource& src, const nlohmann::json& want, bool filesNamed) {
  ASSERT_EQ(src.list().size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& t = want[i];
    const std::string name = t["name"];
    SCOPED_TRACE(name);
    const TensorEntry& e = src.list()[i];
    EXPECT_EQ(e.name, name);
    EXPECT_EQ(e.shape, t["shape"].get<Shape>());
    EXPECT_EQ(e.storedDtype, t["dtype"].get<std::string>());
    if (filesNamed) {
      EXPECT_EQ(e.metadata.at("file"), t["file"].get<std::string>());
    }
    const std::vector<float> values = t["values"].get<std::vector<float>>();
    Tensor got = src.read(name);
    EXPECT_EQ(got.shape, e.shape);
    EXPECT_TRUE(sameValues(got.values, values.data(), values.size()));
    double last = 0;
    Tensor progressed = src.readWithProgress(name, nullptr, [&](double f) { last = f; });
    EXPECT_EQ(last, 1.0);
    EXPECT_TRUE(sameValues(progressed.values, values.data(), values.size()));
    if (e.shape.size() == 2 && e.shape[0] >= 3) {
      Tensor rows = src.readRows(name, {1, 3});
      const size_t per = size_t(e.shape[1]);
      EXPECT_EQ(rows.shape, (Shape{2, e.shape[1]}));
      EXPECT_TRUE(sameValues(rows.values, values.data() + per, 2 * per));
    }
  }
}

TEST(ModelSource, HuggingFaceFolderThroughItsIndex) {
  const auto want = expected()["hf"];
  auto src = openModel({folders() / "hf"});
  EXPECT_EQ(src->formatName(), "safetensors, 3 files");
  EXPECT_EQ(src->path(), folders() / "hf");
  // The stray shard the index does not name is not opened.
  EXPECT_EQ(src->find("stray"), nullptr);
  checkTensors(*src, want["tensors"], true);
  auto meta = src->fileMetadata();
  EXPECT_EQ(meta.at("architecture"), "LlamaForCausalLM");
  EXPECT_EQ(meta.at("index.total_size"), std::to_string(want["total_size"].get<int64_t>()));
  EXPECT_EQ(meta.at("format"), "pt"); // the shards' own metadata
  EXPECT_TRUE(src->readsRowsCheaply());
  expectError([&] { src->read("model.layers.7.nothing"); }, (folders() / "hf").string(),
              "no tensor named 'model.layers.7.nothing'");
}

TEST(ModelSource, FolderWithoutIndexTakesEveryTensorFileByName) {
  const auto want = expected()["plain"];
  auto src = openModel({folders() / "plain"});
  EXPECT_EQ(src->formatName(), "npy+safetensors, 3 files");
  checkTensors(*src, want["tensors"], true);
  EXPECT_EQ(src->fileMetadata().at("architecture"), "gpt2");
}

TEST(ModelSource, SeveralFilesAreOneSource) {
  const fs::path d = folders() / "hf";
  auto src = openModel({d / "model-00003-of-00003.safetensors", d / "model-00001-of-00003.safetensors"});
  EXPECT_EQ(src->formatName(), "safetensors, 2 files");
  EXPECT_EQ(src->path(), d / "model-00003-of-00003.safetensors");
  ASSERT_EQ(src->list().size(), 4u);
  // Files in the order given, each file's tensors in its order.
  EXPECT_EQ(src->list()[0].name, "model.norm.weight");
  EXPECT_EQ(src->list()[2].name, "model.embed_tokens.weight");
  EXPECT_EQ(src->list()[2].metadata.at("file"), "model-00001-of-00003.safetensors");
  EXPECT_EQ(src->fileMetadata().count("architecture"), 0u); // files alone: no config.json read
}

TEST(ModelSource, OneFileIsThatFilesSource) {
  const fs::path f = folders() / "hf" / "model-00002-of-00003.safetensors";
  auto src = openModel({f});
  EXPECT_EQ(src->formatName(), "safetensors");
  EXPECT_EQ(src->path(), f);
  EXPECT_EQ(src->list().size(), 3u);
  EXPECT_EQ(src->list()[0].metadata.count("file"), 0u);
}

TEST(ModelSource, GgufArchitecture) {
  const auto want = expected()["gguf"];
  const fs::path f = folders() / "gguf" / "tiny.gguf";
  auto src = openModel({f});
  EXPECT_EQ(src->formatName(), "gguf");
  EXPECT_EQ(src->path(), f);
  checkTensors(*src, want["tensors"], false);
  EXPECT_EQ(src->fileMetadata().at("architecture"), "qwen2");
  EXPECT_EQ(src->fileMetadata().at("general.architecture"), "qwen2");
  auto folder = openModel({folders() / "gguf"});
  EXPECT_EQ(folder->fileMetadata().at("architecture"), "qwen2");
}

TEST(ModelSource, BrokenFoldersSayWhatIsWrong) {
  const fs::path d = folders();
  auto index = [&](const char* sub) { return (d / sub / "model.safetensors.index.json").string(); };
  expectError(
      [&] { openModel({d / "bad_missing_shard"}); }, index("bad_missing_shard"),
      "shard 'model-00002-of-00003.safetensors' (holding 'model.layers.0.input_layernorm.weight' and 2 "
      "more) does not exist");
  expectError(
      [&] { openModel({d / "bad_not_in_shard"}); }, index("bad_not_in_shard"),
      "tensor 'model.layers.9.mlp.up_proj.weight' is mapped to shard 'model-00003-of-00003.safetensors' "
      "but " +
          (d / "bad_not_in_shard" / "model-00003-of-00003.safetensors").string() + " does not hold it");
  expectError([&] { openModel({d / "bad_extra_tensor"}); },
              (d / "bad_extra_tensor" / "model-00003-of-00003.safetensors").string(),
              "tensor 'model.norm.weight' is in shard 'model-00003-of-00003.safetensors' but " +
                  index("bad_extra_tensor") + " does not name it");
  expectError([&] { openModel({d / "bad_wrong_shard"}); },
              (d / "bad_wrong_shard" / "model-00003-of-00003.safetensors").string(),
              "tensor 'lm_head.weight' is in shard 'model-00003-of-00003.safetensors' but " +
                  index("bad_wrong_shard") + " maps it to 'model-00001-of-00003.safetensors'");
  expectError([&] { openModel({d / "bad_escape"}); }, index("bad_escape"),
              "shard '../hf/model-00003-of-00003.safetensors' is not a file inside the folder");
  expectError([&] { openModel({d / "bad_dup"}); }, (d / "bad_dup" / "one.safetensors").string(),
              "tensor 'shared.weight' is in both " + (d / "bad_dup" / "one.safetensors").string() + " and " +
                  (d / "bad_dup" / "two.safetensors").string());
  expectError(
      [&] {
        openModel({d / "bad_dup" / "two.safetensors", d / "bad_dup" / "one.safetensors"});
      },
      (d / "bad_dup" / "one.safetensors").string(), "is in both");
  expectError([&] { openModel({d / "bad_index_json"}); }, index("bad_index_json"), "not valid JSON");
  expectError([&] { openModel({d / "bad_index_shape"}); }, index("bad_index_shape"),
              "tensor 'model.norm.weight': the shard must be a file name, found 3");
  expectError([&] { openModel({d / "bad_config_json"}); }, (d / "bad_config_json" / "config.json").string(),
              "not valid JSON");
  expectError([&] { openModel({d / "bad_config_type"}); }, (d / "bad_config_type" / "config.json").string(),
              "'architectures' must be an array of strings");
  expectError([&] { openModel({d / "empty"}); }, (d / "empty").string(),
              "the folder holds no tensor file (looked for .npy");
  expectError(
      [&] {
        openModel({d / "hf", d / "plain"});
      },
      (d / "hf").string(), "is a folder; give one folder, or several tensor files");
  expectError([&] { openModel({d / "nowhere.safetensors"}); }, (d / "nowhere.safetensors").string(),
              "no such file");
  EXPECT_THROW(openModel({}), Error);
}

TEST(ModelSource, HostileIndexesAreRefusedClearly) {
  const fs::path d = outDir("model_hostile");
  fs::copy_file(folders() / "hf" / "model-00003-of-00003.safetensors", d / "model-00003-of-00003.safetensors",
                fs::copy_options::overwrite_existing);
  const fs::path index = d / "model.safetensors.index.json";
  const std::pair<const char*, const char*> cases[] = {
      {"[1, 2]", "expected a JSON object with 'weight_map', found array"},
      {"{}", "missing the object 'weight_map'"},
      {"{\"weight_map\": {}}", "'weight_map' names no tensors"},
      {"{\"weight_map\": [\"a\"]}", "missing the object 'weight_map'"},
      {"{\"metadata\": 3, \"weight_map\": {\"a\": \"b\"}}", "'metadata' must be an object"},
      {"{\"weight_map\": {\"a\": \"/etc/passwd\"}}", "shard '/etc/passwd' is not a file inside the folder"},
      {"{\"weight_map\": {\"a\": \"\"}}", "shard '' is not a file inside the folder"},
      {"\xff\xfe{", "not valid JSON"},
      {"", "not valid JSON"},
  };
  for (const auto& [text, fragment] : cases) {
    SCOPED_TRACE(text);
    writeFile(index, text);
    expectError([&] { openModel({d}); }, index.string(), fragment);
  }
}

long rssKiB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

TEST(ModelSource, ThirtyShardsOpenWellUnderASecond) {
  const fs::path d = folders() / "many";
  auto t0 = std::chrono::steady_clock::now();
  auto src = openModel({d});
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "opening 30 shards, 6000 tensors: " << ms << " ms\n";
  EXPECT_LT(ms, 500.0);
  ASSERT_EQ(src->list().size(), 6000u);
  EXPECT_EQ(src->formatName(), "safetensors, 30 files");
  EXPECT_EQ(src->fileMetadata().at("architecture"), "MistralForCausalLM");
  // A tensor of the last shard: all its values are 29 + 199/256.
  Tensor t = src->read("model.layers.29.block.199.weight");
  ASSERT_EQ(t.values.size(), 16u);
  EXPECT_EQ(t.values[5], 29.0f + 199.0f / 256.0f);
}

// Three shards claiming 2 GiB each (sparse files): opening lists headers only.
TEST(ModelSource, OpeningMapsShardsWithoutReadingThem) {
  const fs::path d = outDir("model_sparse");
  const uint64_t each = 32768ull * 32768 * 2;
  std::string weightMap;
  for (int s = 0; s < 3; ++s) {
    const std::string file = "model-0000" + std::to_string(s + 1) + "-of-00003.safetensors";
    const std::string name = "model.layers." + std::to_string(s) + ".mlp.up_proj.weight";
    std::string header = "{\"" + name +
                         "\":{\"dtype\":\"BF16\",\"shape\":[32768,32768],\"data_offsets\":[0," +
                         std::to_string(each) + "]}}";
    std::string prefix(8, '\0');
    for (int i = 0; i < 8; ++i)
      prefix[size_t(i)] = char((uint64_t(header.size()) >> (8 * i)) & 0xff);
    writeFile(d / file, prefix + header);
    int fd = ::open((d / file).c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, off_t(8 + header.size() + each)), 0);
    ::close(fd);
    weightMap += std::string(s ? "," : "") + "\"" + name + "\":\"" + file + "\"";
  }
  writeFile(d / "model.safetensors.index.json", "{\"weight_map\":{" + weightMap + "}}");
  const long before = rssKiB();
  auto src = openModel({d});
  const long after = rssKiB();
  ASSERT_EQ(src->list().size(), 3u);
  EXPECT_EQ(src->list()[2].bytes, each);
  EXPECT_LT(after - before, 20 * 1024);
  Tensor rows = src->readRows("model.layers.2.mlp.up_proj.weight", {30000, 30001});
  EXPECT_EQ(rows.values.size(), 32768u);
  EXPECT_EQ(rows.values[100], 0.0f);
  src.reset();
  fs::remove_all(d);
}

} // namespace
