// Files the `cxm` command writes: checked against the inputs, written to a
// temporary file and renamed into place (output_file.hpp).
#include "cli/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>

#include "cli/cli.hpp"

namespace cxm::inline v0_1::cli {
namespace {

// ---------------------------------------------------------------------------
// Same file?

struct file_id {
  dev_t dev;
  ino_t ino;
  friend bool operator==(const file_id&, const file_id&) = default;
};

// Identity of an existing file, after symlinks; nullopt when there is none.
std::optional<file_id> identify(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return file_id{st.st_dev, st.st_ino};
}

bool is_stdio(const std::string& path) { return path.empty() || path == "-"; }

std::string describe(const named_path& p) { return p.flag + " '" + p.path + "'"; }

// ---------------------------------------------------------------------------
// Temporary files removed on a fatal signal. The table holds plain char
// arrays so the handler touches nothing but async-signal-safe calls.

constexpr std::size_t kSlots = 8;
constexpr std::size_t kPathMax = 4096;
std::array<std::array<char, kPathMax>, kSlots> g_temp_path{};
std::array<volatile std::sig_atomic_t, kSlots> g_temp_used{};

extern "C" void remove_temps_and_reraise(int sig) {
  for (std::size_t i = 0; i < kSlots; ++i) {
    if (g_temp_used[i] != 0) ::unlink(g_temp_path[i].data());
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers_once() {
  static const bool installed = [] {
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) {
      struct sigaction old {};
      if (::sigaction(sig, nullptr, &old) != 0) continue;
      // A signal the caller chose to ignore (nohup, a shell's trap) stays ignored.
      if (old.sa_handler == SIG_IGN) continue;  // NOLINT(cppcoreguidelines-pro-type-union-access)
      struct sigaction sa {};
      sa.sa_handler = remove_temps_and_reraise;  // NOLINT(cppcoreguidelines-pro-type-union-access)
      sigemptyset(&sa.sa_mask);
      ::sigaction(sig, &sa, nullptr);
    }
    return true;
  }();
  (void)installed;
}

int register_temp(const std::string& path) {
  if (path.size() >= kPathMax) return -1;
  for (std::size_t i = 0; i < kSlots; ++i) {
    if (g_temp_used[i] == 0) {
      std::memcpy(g_temp_path[i].data(), path.c_str(), path.size() + 1);
      g_temp_used[i] = 1;
      return static_cast<int>(i);
    }
  }
  return -1;
}

void unregister_temp(int slot) {
  if (slot >= 0) g_temp_used[static_cast<std::size_t>(slot)] = 0;
}

mode_t current_umask() {
  const mode_t m = ::umask(0);
  ::umask(m);
  return m;
}

}  // namespace

void check_outputs(const std::vector<named_path>& inputs, const std::vector<named_path>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const auto& out = outputs[i];
    if (is_stdio(out.path)) continue;
    const auto out_id = identify(out.path);
    if (out_id) {
      for (const auto& in : inputs) {
        if (is_stdio(in.path)) continue;
        const auto in_id = identify(in.path);
        if (in_id && *in_id == *out_id) {
          throw failure(usage, describe(out) + " is the input " + describe(in) +
                                   ": refusing to overwrite an input (choose another output path)");
        }
      }
    }
    for (std::size_t j = 0; j < i; ++j) {
      const auto& other = outputs[j];
      if (is_stdio(other.path)) continue;
      const auto other_id = identify(other.path);
      std::error_code e1, e2;
      const bool same = (out_id && other_id) ? *out_id == *other_id
                                             : std::filesystem::weakly_canonical(std::filesystem::absolute(out.path), e1) ==
                                                   std::filesystem::weakly_canonical(std::filesystem::absolute(other.path), e2);
      if (same && !e1 && !e2) {
        throw failure(usage, describe(out) + " and " + describe(other) + " are the same file: give each output its own path");
      }
    }
  }
}

output_file::output_file(std::filesystem::path target) {
  namespace fs = std::filesystem;
  std::error_code ec;
  // Replace what a symlink points to, not the link.
  if (fs::is_symlink(fs::symlink_status(target, ec))) {
    const auto resolved = fs::weakly_canonical(target, ec);
    if (!ec) target = resolved;
  }
  target_ = target;
  struct stat st {};
  const bool exists = ::stat(target_.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) {
    // A FIFO or device: write to it directly.
    out_.open(target_, std::ios::binary);
    if (!out_) throw failure(io_failure, target_.string() + ": cannot write: " + std::strerror(errno));
    return;
  }
  const fs::path dir = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
  std::string pattern = (dir / ("." + target_.filename().string() + ".cxm-XXXXXX")).string();
  install_handlers_once();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) {
    throw failure(io_failure, target_.string() + ": cannot write: " + std::strerror(errno));
  }
  temp_ = pattern;
  slot_ = register_temp(pattern);
  const mode_t mode = exists ? (st.st_mode & 07777) : (0666 & ~current_umask());
  (void)::fchmod(fd, mode);
  ::close(fd);
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    const int err = errno;
    discard();
    throw failure(io_failure, target_.string() + ": cannot write: " + std::strerror(err));
  }
}

output_file::~output_file() {
  if (!done_) discard();
}

void output_file::discard() noexcept {
  done_ = true;
  if (out_.is_open()) out_.close();
  if (!temp_.empty()) {
    ::unlink(temp_.c_str());
    unregister_temp(slot_);
    slot_ = -1;
  }
}

void output_file::commit() {
  out_.flush();
  const bool written = static_cast<bool>(out_);
  out_.close();
  if (!written || out_.fail()) {
    discard();
    throw failure(io_failure, target_.string() + ": error while writing (the file was left as it was)");
  }
  if (!temp_.empty()) {
    // Data on disk before the name points at it, so a crash leaves the old file or the new one.
    const int fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      (void)::fsync(fd);
      ::close(fd);
    }
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
      const int err = errno;
      discard();
      throw failure(io_failure, target_.string() + ": cannot write: " + std::strerror(err));
    }
    unregister_temp(slot_);
    slot_ = -1;
  }
  done_ = true;
}

}  // namespace cxm::cli
