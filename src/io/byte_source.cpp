// Byte sources of the text readers (src/io/byte_source.hpp).
#include "io/byte_source.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <istream>
#include <string>
#include <system_error>
#include <utility>

#include "cxmetrics/core/error.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#define CXMETRICS_POSIX_IO 1
#endif

namespace cxm::inline v0_1::detail {

namespace {

class memory_bytes final : public byte_source {
 public:
  explicit memory_bytes(std::string_view d) : data_(d) {}
  bool positional() const noexcept override { return true; }
  std::size_t read_at(std::uint64_t offset, char* dst, std::size_t n) override {
    if (offset >= data_.size()) return 0;
    const std::size_t k = std::min<std::size_t>(n, data_.size() - static_cast<std::size_t>(offset));
    std::memcpy(dst, data_.data() + offset, k);
    return k;
  }
  std::size_t read(char*, std::size_t) override { return 0; }
  std::optional<std::uint64_t> size_hint() const noexcept override { return data_.size(); }

 private:
  std::string_view data_;
};

class clipped_bytes final : public byte_source {
 public:
  clipped_bytes(byte_source& inner, std::uint64_t begin, std::uint64_t end) : inner_(inner), begin_(begin), end_(end) {}
  bool positional() const noexcept override { return true; }
  std::size_t read_at(std::uint64_t offset, char* dst, std::size_t n) override {
    if (offset >= end_) return 0;
    return inner_.read_at(offset, dst, static_cast<std::size_t>(std::min<std::uint64_t>(n, end_ - offset)));
  }
  std::size_t read(char*, std::size_t) override { return 0; }
  std::optional<std::uint64_t> size_hint() const noexcept override {
    if (end_ == static_cast<std::uint64_t>(-1)) return inner_.size_hint();
    return end_ - begin_;
  }

 private:
  byte_source& inner_;
  std::uint64_t begin_;
  std::uint64_t end_;
};

class stream_bytes final : public byte_source {
 public:
  explicit stream_bytes(std::istream& in) : in_(in) {}
  bool positional() const noexcept override { return false; }
  std::size_t read_at(std::uint64_t, char*, std::size_t) override { return 0; }
  std::size_t read(char* dst, std::size_t n) override {
    std::size_t got = 0;
    while (got < n && in_.good()) {
      in_.read(dst + got, static_cast<std::streamsize>(n - got));
      got += static_cast<std::size_t>(in_.gcount());
    }
    if (in_.bad()) throw parse_error("reading the input failed");
    return got;
  }

 private:
  std::istream& in_;
};

#ifdef CXMETRICS_POSIX_IO
class fd_bytes final : public byte_source {
 public:
  fd_bytes(int fd, bool positional, std::string name) : fd_(fd), positional_(positional), name_(std::move(name)) {}
  ~fd_bytes() override { ::close(fd_); }
  fd_bytes(const fd_bytes&) = delete;
  fd_bytes& operator=(const fd_bytes&) = delete;
  bool positional() const noexcept override { return positional_; }
  std::size_t read_at(std::uint64_t offset, char* dst, std::size_t n) override {
    return fill(n, [&](std::size_t got) {
      return ::pread(fd_, dst + got, n - got, static_cast<off_t>(offset + got));
    });
  }
  std::size_t read(char* dst, std::size_t n) override {
    return fill(n, [&](std::size_t got) { return ::read(fd_, dst + got, n - got); });
  }

 private:
  // Calls once(got) until n bytes are read or it reports the end (0);
  // a call interrupted by a signal is repeated.
  template <class Once>
  std::size_t fill(std::size_t n, Once once) const {
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = once(got);
      if (r < 0) {
        if (errno == EINTR) continue;
        fail();
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    return got;
  }
  [[noreturn]] void fail() const {
    location where;
    where.file = name_;
    throw parse_error("reading the file failed: " + std::generic_category().message(errno), where);
  }
  int fd_;
  bool positional_;
  std::string name_;
};
#else
class ifstream_bytes final : public byte_source {
 public:
  explicit ifstream_bytes(std::ifstream in) : in_(std::move(in)), s_(in_) {}
  bool positional() const noexcept override { return false; }
  std::size_t read_at(std::uint64_t, char*, std::size_t) override { return 0; }
  std::size_t read(char* dst, std::size_t n) override { return s_.read(dst, n); }

 private:
  std::ifstream in_;
  stream_bytes s_;
};
#endif

}  // namespace

std::unique_ptr<byte_source> open_file_source(const std::filesystem::path& file) {
  location where;
  where.file = file.string();
#ifdef CXMETRICS_POSIX_IO
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw parse_error("cannot open the file for reading: " + std::generic_category().message(errno), where);
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular) {
#ifdef POSIX_FADV_SEQUENTIAL
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  }
  return std::make_unique<fd_bytes>(fd, regular, file.string());
#else
  std::ifstream in(file, std::ios::binary);
  if (!in) throw parse_error("cannot open the file for reading", where);
  return std::make_unique<ifstream_bytes>(std::move(in));
#endif
}

std::unique_ptr<byte_source> memory_source(std::string_view data) { return std::make_unique<memory_bytes>(data); }

std::unique_ptr<byte_source> stream_source(std::istream& in) { return std::make_unique<stream_bytes>(in); }

std::unique_ptr<byte_source> clipped_source(byte_source& inner, std::uint64_t begin, std::uint64_t end) {
  return std::make_unique<clipped_bytes>(inner, begin, end);
}

}  // namespace cxm::detail
