// A model as one TensorSource (core/io/model_source.h). The files are opened
// once each through openTensorFile (safetensors and GGUF are memory-mapped,
// so opening lists headers only); the composite keeps one merged listing and
// hands every read to the file that holds the tensor.
#include "core/io/model_source.h"

#include "core/error.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

namespace qs {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kIndexName = "model.safetensors.index.json";
constexpr uintmax_t kMaxJsonBytes = 64ull << 20; // an index of millions of tensors fits

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

std::string readJsonText(const fs::path& path) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec)
    throw Error(path.string() + ": cannot read: " + ec.message());
  if (size > kMaxJsonBytes)
    throw Error(path.string() + ": " + std::to_string(size) + " bytes is too large for a model's JSON file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f)
    throw Error(path.string() + ": cannot open");
  std::string text(size, '\0');
  const size_t got = std::fread(text.data(), 1, text.size(), f);
  std::fclose(f);
  if (got != text.size())
    throw Error(path.string() + ": cannot read");
  return text;
}

Json parseJsonFile(const fs::path& path) {
  try {
    return Json::parse(readJsonText(path));
  } catch (const Json::exception& e) {
    throw Error(path.string() + ": not valid JSON: " + e.what());
  }
}

// config.json's architecture: `architectures[0]`, else `model_type`; empty when neither.
std::string configArchitecture(const fs::path& config) {
  const Json j = parseJsonFile(config);
  if (!j.is_object())
    throw Error(config.string() + ": expected a JSON object, found " + j.type_name());
  if (auto it = j.find("architectures"); it != j.end() && !it->is_null()) {
    if (!it->is_array() || (!it->empty() && !it->front().is_string()))
      throw Error(config.string() + ": 'architectures' must be an array of strings, found " + it->dump());
    if (!it->empty())
      return it->front().get<std::string>();
  }
  if (auto it = j.find("model_type"); it != j.end() && !it->is_null()) {
    if (!it->is_string())
      throw Error(config.string() + ": 'model_type' must be a string, found " + it->dump());
    return it->get<std::string>();
  }
  return {};
}

// A Hugging Face index: tensor → shard file (relative to the folder), and its metadata.
struct ShardIndex {
  std::map<std::string, std::string> weightMap;
  std::map<std::string, std::string> metadata;
};

ShardIndex readIndex(const fs::path& indexPath) {
  const std::string label = indexPath.string();
  const Json j = parseJsonFile(indexPath);
  if (!j.is_object())
    throw Error(label + ": expected a JSON object with 'weight_map', found " + j.type_name());
  ShardIndex index;
  if (auto it = j.find("metadata"); it != j.end() && !it->is_null()) {
    if (!it->is_object())
      throw Error(label + ": 'metadata' must be an object, found " + it->type_name());
    for (const auto& [k, v] : it->items())
      index.metadata[k] = v.is_string() ? v.get<std::string>() : v.dump();
  }
  auto map = j.find("weight_map");
  if (map == j.end() || !map->is_object())
    throw Error(label + ": missing the object 'weight_map' (tensor name → shard file)");
  if (map->empty())
    throw Error(label + ": 'weight_map' names no tensors");
  for (const auto& [tensor, shard] : map->items()) {
    if (!shard.is_string())
      throw Error(label + ": tensor '" + tensor + "': the shard must be a file name, found " + shard.dump());
    const std::string file = shard.get<std::string>();
    const fs::path rel(file);
    // Shards live in the folder: no absolute paths, no way out of it.
    const bool escapes = std::any_of(rel.begin(), rel.end(), [](const fs::path& p) { return p == ".."; });
    if (file.empty() || rel.is_absolute() || escapes)
      throw Error(label + ": tensor '" + tensor + "': shard '" + file + "' is not a file inside the folder");
    index.weightMap[tensor] = file;
  }
  return index;
}

class ModelSource final : public TensorSource {
public:
  ModelSource(fs::path path, std::vector<std::unique_ptr<TensorSource>> files, std::string architecture,
              const std::map<std::string, std::string>& extraMeta)
      : path_(std::move(path)), files_(std::move(files)) {
    std::set<std::string> formats;
    std::unordered_map<std::string, size_t> seen;
    size_t total = 0;
    for (const auto& f : files_)
      total += f->list().size();
    entries_.reserve(total);
    seen.reserve(total);
    for (size_t i = 0; i < files_.size(); ++i) {
      const TensorSource& f = *files_[i];
      formats.insert(f.formatName());
      for (const TensorEntry& e : f.list()) {
        auto [it, fresh] = seen.emplace(e.name, i);
        if (!fresh)
          throw Error("tensor '" + e.name + "' is in both " + files_[it->second]->path().string() + " and " +
                      f.path().string());
        entries_.push_back(e);
        if (files_.size() > 1)
          entries_.back().metadata["file"] = f.path().filename().string();
      }
    }
    byName_ = std::move(seen);
    if (files_.size() == 1) {
      format_ = files_[0]->formatName();
    } else {
      for (const std::string& f : formats)
        format_ += (format_.empty() ? "" : "+") + f;
      format_ += ", " + std::to_string(files_.size()) + " files";
    }
    // The first file's value wins where files disagree (shards repeat their metadata).
    for (auto it = files_.rbegin(); it != files_.rend(); ++it)
      for (auto& [k, v] : (*it)->fileMetadata())
        meta_[k] = v;
    for (const auto& [k, v] : extraMeta)
      meta_[k] = v;
    if (architecture.empty())
      if (auto it = meta_.find("general.architecture"); it != meta_.end())
        architecture = it->second;
    if (!architecture.empty())
      meta_["architecture"] = architecture;
  }

  std::string formatName() const override { return format_; }
  const fs::path& path() const override { return path_; }
  const std::vector<TensorEntry>& list() const override { return entries_; }
  std::map<std::string, std::string> fileMetadata() const override { return meta_; }

  Tensor read(const std::string& name, const std::atomic<bool>* cancel) const override {
    return owner(name).read(name, cancel);
  }
  Tensor readRows(const std::string& name, RowSlice slice, const std::atomic<bool>* cancel) const override {
    return owner(name).readRows(name, slice, cancel);
  }
  Tensor readWithProgress(const std::string& name, const std::atomic<bool>* cancel,
                          const ReadProgress& progress) const override {
    return owner(name).readWithProgress(name, cancel, progress);
  }
  bool readsRowsCheaply() const override {
    return std::all_of(files_.begin(), files_.end(), [](const auto& f) { return f->readsRowsCheaply(); });
  }

private:
  const TensorSource& owner(const std::string& name) const {
    auto it = byName_.find(name);
    if (it == byName_.end())
      throw Error(path_.string() + ": no tensor named '" + name + "'");
    return *files_[it->second];
  }

  fs::path path_;
  std::vector<std::unique_ptr<TensorSource>> files_;
  std::vector<TensorEntry> entries_;
  std::unordered_map<std::string, size_t> byName_;
  std::string format_;
  std::map<std::string, std::string> meta_;
};

bool isTensorFile(const fs::path& p) {
  const auto& exts = tensorFileExtensions();
  return std::find(exts.begin(), exts.end(), lower(p.extension().string())) != exts.end();
}

std::vector<fs::path> tensorFilesIn(const fs::path& folder) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path p = it->path();
    std::error_code fileEc;
    if (p.filename().string().front() != '.' && it->is_regular_file(fileEc) && isTensorFile(p))
      out.push_back(p);
  }
  if (ec)
    throw Error(folder.string() + ": cannot list the folder: " + ec.message());
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string() < b.filename().string();
  });
  return out;
}

// Opens exactly the shards the index names and checks both directions: what
// each shard holds first (a tensor in the wrong shard is named with the shard
// that holds it), then that every indexed tensor is where the index says.
std::vector<std::unique_ptr<TensorSource>>
openIndexedShards(const fs::path& folder, const fs::path& indexPath, const ShardIndex& index) {
  const std::string label = indexPath.string();
  std::map<std::string, std::vector<std::string>> tensorsOf; // shard → tensors, sorted shard names
  for (const auto& [tensor, shard] : index.weightMap)
    tensorsOf[shard].push_back(tensor);
  std::vector<std::unique_ptr<TensorSource>> files;
  for (const auto& [shard, tensors] : tensorsOf) {
    const fs::path p = folder / shard;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec))
      throw Error(label + ": shard '" + shard + "' (holding '" + tensors.front() + "' and " +
                  std::to_string(tensors.size() - 1) + " more) does not exist: " + p.string());
    files.push_back(openTensorFile(p));
  }
  size_t i = 0;
  for (const auto& [shard, tensors] : tensorsOf) {
    const TensorSource& source = *files[i++];
    for (const TensorEntry& e : source.list()) {
      auto it = index.weightMap.find(e.name);
      if (it == index.weightMap.end())
        throw Error(source.path().string() + ": tensor '" + e.name + "' is in shard '" + shard + "' but " +
                    label + " does not name it");
      if (it->second != shard)
        throw Error(source.path().string() + ": tensor '" + e.name + "' is in shard '" + shard + "' but " +
                    label + " maps it to '" + it->second + "'");
    }
  }
  i = 0;
  for (const auto& [shard, tensors] : tensorsOf) {
    const TensorSource& source = *files[i++];
    for (const std::string& t : tensors)
      if (!source.find(t))
        throw Error(label + ": tensor '" + t + "' is mapped to shard '" + shard + "' but " +
                    source.path().string() + " does not hold it");
  }
  return files;
}

std::unique_ptr<TensorSource> openFolder(const fs::path& folder) {
  std::string architecture;
  const fs::path config = folder / "config.json";
  std::error_code ec;
  if (fs::is_regular_file(config, ec))
    architecture = configArchitecture(config);
  const fs::path indexPath = folder / kIndexName;
  if (fs::is_regular_file(indexPath, ec)) {
    const ShardIndex index = readIndex(indexPath);
    std::map<std::string, std::string> extra;
    for (const auto& [k, v] : index.metadata)
      extra["index." + k] = v;
    return std::make_unique<ModelSource>(folder, openIndexedShards(folder, indexPath, index), architecture,
                                         extra);
  }
  const std::vector<fs::path> paths = tensorFilesIn(folder);
  if (paths.empty())
    throw Error(folder.string() + ": the folder holds no tensor file (looked for " + [] {
      std::string s;
      for (const std::string& e : tensorFileExtensions())
        s += (s.empty() ? "" : " ") + e;
      return s;
    }() + ")");
  std::vector<std::unique_ptr<TensorSource>> files;
  for (const fs::path& p : paths)
    files.push_back(openTensorFile(p));
  return std::make_unique<ModelSource>(folder, std::move(files), architecture,
                                       std::map<std::string, std::string>{});
}

} // namespace

std::unique_ptr<TensorSource> openModel(const std::vector<fs::path>& paths) {
  if (paths.empty())
    throw Error("no model file or folder given");
  std::error_code ec;
  if (paths.size() == 1 && fs::is_directory(paths[0], ec))
    return openFolder(paths[0]);
  std::vector<std::unique_ptr<TensorSource>> files;
  for (const fs::path& p : paths) {
    if (fs::is_directory(p, ec))
      throw Error(p.string() + ": is a folder; give one folder, or several tensor files");
    files.push_back(openTensorFile(p));
  }
  // One file stays itself unless its GGUF metadata names an architecture to add.
  if (files.size() == 1 && !files[0]->fileMetadata().count("general.architecture"))
    return std::move(files[0]);
  return std::make_unique<ModelSource>(paths[0], std::move(files), std::string(),
                                       std::map<std::string, std::string>{});
}

} // namespace qs
