// Reading responses for the subcommands that take a FILE: the flags they
// share (format, delimiter, decimal comma, column names, declared fields,
// mapping file, strict mode, rejects file, threads) and a streaming read with a progress
// line and a rejects file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/output_file.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/io/ingest_settings.hpp"

namespace cxm::inline v0_1::cli {

// The flags are ingest_settings (io/ingest_settings.hpp), which the Python
// module's keyword arguments fill too, plus FILE and --rejects.
struct input_args : ingest_settings {
  std::string file;
  std::string rejects;  // rejects CSV file
};

/// Adds FILE and the input flags to a subcommand.
void add_input_flags(CLI::App& sub, input_args& a);

/// The ingest options the flags ask for. Throws failure(usage) for bad flags.
[[nodiscard]] ingest_options make_ingest_options(const input_args& a);

/// Throws failure(usage) when --rejects or one of `outputs` is an input
/// (FILE, --mapping) or two outputs are one file. Call it before anything is
/// written; read_input() calls it for --rejects.
void check_no_clobber(const input_args& a, std::vector<named_path> outputs = {});

/// Streams the file to `on_batch`, writing rejects to --rejects, showing a
/// progress line on a terminal (unless --quiet), and turning I/O problems into
/// failure(io_failure). In strict mode the first reject is thrown as its
/// typed error, after it has been written to --rejects. The rejects file is
/// written to a temporary file and renamed into place at the end: a run that
/// fails otherwise leaves the old file (or none) in place.
ingest_report read_input(const input_args& a, const context& ctx,
                         const std::function<void(const response_batch&)>& on_batch,
                         std::vector<ingest_reject>* keep_rejects = nullptr, std::size_t keep_max = 0);

/// The ingest summary as a table (rows read, accepted, rejected by reason,
/// missing per field).
[[nodiscard]] table ingest_table(const ingest_report& r);

}  // namespace cxm::cli
