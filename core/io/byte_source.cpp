#include "core/io/byte_source.h"

#include "core/error.h"

#include <algorithm>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace qs {
namespace {

class MappedFile final : public ByteSource {
public:
  explicit MappedFile(const std::filesystem::path& path) : label_(path.string()) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw Error("cannot open " + label_ + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int e = errno;
      ::close(fd);
      throw Error("cannot stat " + label_ + ": " + std::strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      throw Error(label_ + " is not a regular file");
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        int e = errno;
        ::close(fd);
        throw Error("cannot map " + label_ + " into memory: " + std::strerror(e));
      }
      data_ = static_cast<const uint8_t*>(p);
    }
    ::close(fd); // the mapping keeps the file referenced
  }
  ~MappedFile() override {
    if (data_)
      ::munmap(const_cast<uint8_t*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const override { return {data_, size_}; }
  const std::string& label() const override { return label_; }
  void release(size_t offset, size_t length) const override {
    if (!data_ || offset >= size_)
      return;
    // Whole pages around the range: a neighbour's page dropped too just faults back in.
    const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
    const uintptr_t begin = (uintptr_t(data_) + offset) & ~(page - 1);
    const uintptr_t end = uintptr_t(data_) + std::min(size_, offset + length);
    ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
  }

private:
  std::string label_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

class MemoryBytes final : public ByteSource {
public:
  MemoryBytes(std::vector<uint8_t> data, std::string label)
      : data_(std::move(data)), label_(std::move(label)) {}
  std::span<const uint8_t> bytes() const override { return {data_.data(), data_.size()}; }
  const std::string& label() const override { return label_; }

private:
  std::vector<uint8_t> data_;
  std::string label_;
};

} // namespace

std::shared_ptr<const ByteSource> mapFile(const std::filesystem::path& path) {
  return std::make_shared<MappedFile>(path);
}

std::shared_ptr<const ByteSource> memoryBytes(std::vector<uint8_t> data, std::string label) {
  return std::make_shared<MemoryBytes>(std::move(data), std::move(label));
}

} // namespace qs
