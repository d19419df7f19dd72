// Files the `cxm` command writes (reports, rejects): never over an input,
// never half-written.
//
//   check_outputs(inputs, outputs)   before anything is opened for writing:
//                                    an output that is an input (the same
//                                    file after symlinks, hard links, "./"),
//                                    or two outputs that are one file, is a
//                                    usage error (exit 2)
//   output_file f(path);             writes to a temporary file beside path
//   f.stream() << ...;
//   f.commit();                      flushes, fsyncs and renames it into place
//
// An output_file destroyed without commit() (an error, an exception) removes
// its temporary file; so does SIGINT, SIGTERM, SIGHUP or SIGPIPE arriving
// while it is open (the handler unlinks, then the signal takes its default
// action). The target keeps its permission bits when it exists; a new one
// gets 0666 less the umask, as an ordinary write would. A symlink target is
// followed: the file it points to is replaced, the link stays. A target that
// exists and is not a regular file (a FIFO, /dev/stdout, /dev/null) is written
// directly, since it cannot be renamed over.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace cxm::inline v0_1::cli {

/// One path the command reads or writes, with the flag that named it (for
/// messages). "-" and empty paths (standard input / output) are skipped.
struct named_path {
  std::string flag;  ///< "FILE", "--rejects", "-o", ...
  std::string path;
};

/// Throws failure(usage) when an output resolves to an existing input or to
/// another output.
void check_outputs(const std::vector<named_path>& inputs, const std::vector<named_path>& outputs);

class output_file {
 public:
  /// Opens a temporary file in the target's folder; throws failure(io_failure)
  /// naming the target when that is impossible.
  explicit output_file(std::filesystem::path target);
  output_file(const output_file&) = delete;
  output_file& operator=(const output_file&) = delete;
  ~output_file();

  [[nodiscard]] std::ostream& stream() noexcept { return out_; }
  [[nodiscard]] const std::filesystem::path& target() const noexcept { return target_; }

  /// Flushes and moves the file into place; throws failure(io_failure) when a
  /// write failed (the target is then untouched).
  void commit();

 private:
  void discard() noexcept;

  std::filesystem::path target_;  // the file to replace (a symlink resolved)
  std::filesystem::path temp_;    // empty when writing the target directly
  std::ofstream out_;
  int slot_ = -1;  // index in the signal handler's table of open temp files
  bool done_ = false;
};

}  // namespace cxm::cli
