// Peak memory of counting a memory-mapped score file with the engine.
//
// The claim measured: aggregating a memory-mapped 10^9-row file keeps the
// peak resident set within the file's pages plus a small constant (the engine
// streams over chunks of the mapping, copies nothing and keeps per-thread
// states of a few KB).
//
// The program writes a file of one-byte NPS scores once (uniform 0..10, the
// generator of engine_benchmark), or reuses the file at PATH when it already
// has the requested size; maps it read-only; and counts the NPS tally and
// the 11-bin histogram through the engine three times (first touch of the
// mapping, then warm). It prints, from /proc/self/status, the peak resident
// set (VmHWM) and its file-backed and anonymous parts before and after, the
// growth, and the growth beyond the file's size. The peak is reset (write
// "5" to /proc/self/clear_refs) just before mapping, so "before" holds only
// what the program had resident at that point.
//
// Usage:
//   engine_mmap [--rows=N] [--threads=T] [--remove] [PATH]
//     --rows     rows of the file (default 1000000000, i.e. a 1 GB file)
//     --threads  engine threads (default 1; 0 = all cores)
//     --remove   delete the file at the end (default: keep it for the next run)
//     PATH       score file (default: <temp dir>/cxm_engine_mmap_<rows>.u8)
//
// Linux only (mmap, /proc/self/status).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/core/isa.hpp"

namespace {

namespace eng = cxm::engine;

// ------------------------------------------------------------------ /proc/self/status

struct memory {
  std::uint64_t hwm_kib = 0;        // VmHWM: peak resident set
  std::uint64_t rss_kib = 0;        // VmRSS: resident set now
  std::uint64_t rss_file_kib = 0;   // RssFile: file-backed part of VmRSS
  std::uint64_t rss_anon_kib = 0;   // RssAnon: anonymous part (heap, stacks)
};

memory read_memory() {
  memory m;
  std::ifstream in("/proc/self/status");
  std::string line;
  auto field = [&](const char* name, std::uint64_t& out) {
    const std::size_t len = std::strlen(name);
    if (line.compare(0, len, name) == 0) out = std::strtoull(line.c_str() + len, nullptr, 10);
  };
  while (std::getline(in, line)) {
    field("VmHWM:", m.hwm_kib);
    field("VmRSS:", m.rss_kib);
    field("RssFile:", m.rss_file_kib);
    field("RssAnon:", m.rss_anon_kib);
  }
  return m;
}

// Resets VmHWM to the current resident set (Linux >= 4.0); false when refused.
bool reset_peak() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

void print_memory(const char* label, const memory& m) {
  std::printf("%-34s VmHWM %10llu KiB   VmRSS %10llu KiB (file %10llu, anon %8llu)\n", label,
              static_cast<unsigned long long>(m.hwm_kib), static_cast<unsigned long long>(m.rss_kib),
              static_cast<unsigned long long>(m.rss_file_kib), static_cast<unsigned long long>(m.rss_anon_kib));
}

// ------------------------------------------------------------------ the file

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Writes `rows` uniform scores 0..10 through a 1 MiB buffer (the file goes to
// the page cache, not to this process's resident set). Returns false on error.
bool write_scores(const std::string& path, std::uint64_t rows) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  std::vector<std::uint8_t> buffer(std::size_t{1} << 20);
  std::uint64_t state = 0x5EEDull + rows;
  bool ok = true;
  for (std::uint64_t done = 0; done < rows && ok;) {
    const std::size_t m = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), rows - done));
    for (std::size_t i = 0; i < m; ++i) {
      buffer[i] = static_cast<std::uint8_t>(((splitmix64(state) >> 32) * 11) >> 32);
    }
    for (std::size_t off = 0; off < m;) {
      const ssize_t w = ::write(fd, buffer.data() + off, m - off);
      if (w <= 0) {
        ok = false;
        break;
      }
      off += static_cast<std::size_t>(w);
    }
    done += m;
  }
  ok &= ::close(fd) == 0;
  return ok;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t rows = 1'000'000'000;
  unsigned threads = 1;
  bool remove_file = false;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--rows=", 0) == 0) {
      rows = std::strtoull(a.c_str() + 7, nullptr, 10);
    } else if (a.rfind("--threads=", 0) == 0) {
      threads = static_cast<unsigned>(std::strtoul(a.c_str() + 10, nullptr, 10));
    } else if (a == "--remove") {
      remove_file = true;
    } else if (!a.empty() && a[0] != '-') {
      path = a;
    } else {
      std::fprintf(stderr, "usage: %s [--rows=N] [--threads=T] [--remove] [PATH]\n", argv[0]);
      return 2;
    }
  }
  if (rows == 0) {
    std::fprintf(stderr, "--rows must be positive\n");
    return 2;
  }
  if (path.empty()) {
    path = (std::filesystem::temp_directory_path() / ("cxm_engine_mmap_" + std::to_string(rows) + ".u8")).string();
  }

  // The file: reused when it already has the right size.
  std::error_code ec;
  const bool reuse = std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) == rows;
  if (!reuse) {
    std::printf("writing %llu scores to %s ...\n", static_cast<unsigned long long>(rows), path.c_str());
    const auto start = std::chrono::steady_clock::now();
    if (!write_scores(path, rows)) {
      std::fprintf(stderr, "cannot write %s: %s\n", path.c_str(), std::strerror(errno));
      return 1;
    }
    std::printf("written in %.1f s\n", seconds_since(start));
  }

  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) {
    std::fprintf(stderr, "cannot open %s: %s\n", path.c_str(), std::strerror(errno));
    return 1;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) != rows) {
    std::fprintf(stderr, "%s does not hold %llu bytes\n", path.c_str(), static_cast<unsigned long long>(rows));
    ::close(fd);
    return 1;
  }
  const auto file_bytes = static_cast<std::uint64_t>(st.st_size);

  std::printf("file              %s%s\n", path.c_str(), reuse ? " (reused)" : "");
  std::printf("file size         %llu bytes = %.1f MiB (%llu KiB)\n", static_cast<unsigned long long>(file_bytes),
              static_cast<double>(file_bytes) / (1 << 20), static_cast<unsigned long long>(file_bytes / 1024));
  std::printf("engine level      %s, threads %u\n", std::string(cxm::to_string(cxm::active_isa())).c_str(),
              threads);

  const bool reset = reset_peak();
  const memory before = read_memory();
  print_memory(reset ? "before mapping (peak reset):" : "before mapping (peak NOT reset):", before);

  void* map = ::mmap(nullptr, file_bytes, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) {
    std::fprintf(stderr, "mmap failed: %s\n", std::strerror(errno));
    return 1;
  }
  const std::span<const std::uint8_t> scores(static_cast<const std::uint8_t*>(map), file_bytes);

  eng::count_options o;
  o.threads = threads;
  const char* pass_names[] = {"nps, first touch", "nps, warm", "histogram, warm"};
  eng::nps_tally tally;
  std::vector<std::uint64_t> hist;
  for (int pass = 0; pass < 3; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    if (pass < 2) {
      tally = eng::count_nps(scores, cxm::scale::nps(), o);
    } else {
      const auto h = eng::count_scores(scores, cxm::scale::nps(), o);
      hist.assign(h.raw_counts().begin(), h.raw_counts().end());
    }
    const double s = seconds_since(start);
    std::printf("%-17s %.3f s, %.2f GB/s\n", pass_names[pass], s, static_cast<double>(file_bytes) / s / 1e9);
  }
  const memory after = read_memory();
  print_memory("after counting:", after);
  ::munmap(map, file_bytes);

  // Consistency: the histogram and the tally agree, and every row is counted.
  std::uint64_t low = 0;
  std::uint64_t mid = 0;
  std::uint64_t high = 0;
  for (std::size_t b = 0; b < hist.size(); ++b) (b <= 6 ? low : (b <= 8 ? mid : high)) += hist[b];
  const bool consistent = tally.n() == rows && low == tally.detractors && mid == tally.passives &&
                          high == tally.promoters;
  std::printf("tally             detractors %llu, passives %llu, promoters %llu (%s)\n",
              static_cast<unsigned long long>(tally.detractors), static_cast<unsigned long long>(tally.passives),
              static_cast<unsigned long long>(tally.promoters),
              consistent ? "histogram agrees, all rows counted" : "MISMATCH");

  const auto growth = static_cast<long long>(after.hwm_kib) - static_cast<long long>(before.hwm_kib);
  std::printf("peak growth       %lld KiB = file %llu KiB %+lld KiB\n", growth,
              static_cast<unsigned long long>(file_bytes / 1024),
              growth - static_cast<long long>(file_bytes / 1024));
  std::printf("anonymous growth  %lld KiB (heap and stacks: engine states, threads, results)\n",
              static_cast<long long>(after.rss_anon_kib) - static_cast<long long>(before.rss_anon_kib));

  // Sizes of the accumulator values the engine returns; its per-thread working
  // states are part of the anonymous growth above.
  std::printf("sizeof            nps_tally %zu B, weighted_nps_tally %zu B, score_counts %zu B "
              "(+ 8 B per point on the heap, 24 B weighted), grouped_nps %zu B (+ 24 B per cell)\n",
              sizeof(eng::nps_tally), sizeof(eng::weighted_nps_tally), sizeof(cxm::score_counts),
              sizeof(eng::grouped_nps));

  if (remove_file) std::filesystem::remove(path, ec);
  return consistent ? 0 : 1;
}
