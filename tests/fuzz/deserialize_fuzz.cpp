// Fuzz target of cxm::deserialize (io/binary.hpp).
//
// For every input and every serializable cxmetrics type T, deserialize<T>
// must either throw cxm::serialization_error or return a state whose
// serialize() is byte-identical to the input (the format is canonical), that
// deserializes to an equal state, and whose JSON form reads back to an equal
// state (the two readers accept the same states). An input holding a state
// of an older layout (binary_reader::older_layouts() > 0: the accumulators'
// version 1, with their options) is written back in the current layout
// instead, which must read to the same state and be canonical itself. Any
// other exception, a crash, a sanitizer report or a mismatch aborts.
//
// A CRC-32 guards every payload, so random mutations almost never reach the
// payload parsers. Each input is therefore tried twice: as given, and with
// its preamble's payload length and CRC rewritten to match the bytes that
// follow (so mutated payloads of the corpus seeds are parsed field by field).
//
// Two builds (tests/fuzz/CMakeLists.txt):
//   * libFuzzer (CXMETRICS_BUILD_FUZZERS=ON, clang):
//       -fsanitize=fuzzer,address,undefined; run as
//       deserialize_fuzz corpus/deserialize/ -runs=1000000
//   * replay (always; a ctest test, any compiler): CXMETRICS_FUZZ_REPLAY_MAIN
//     adds a main that feeds every file of the directories given on the
//     command line to the target once.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "cxmetrics/io/binary.hpp"
#include "cxmetrics/io/binary_engine.hpp"
#include "cxmetrics/io/json.hpp"
#include "cxmetrics/series/series.hpp"

namespace {

[[noreturn]] void die(const char* type, const char* what) {
  std::fprintf(stderr, "deserialize_fuzz: %s: %s\n", type, what);
  std::abort();
}

template <class T>
void check(std::span<const std::byte> in, const char* type) {
  const T x = cxm::deserialize<T>(in);  // throws serialization_error for almost every input
  const auto out = cxm::serialize(x);
  if (out.size() != in.size() || !std::equal(out.begin(), out.end(), in.begin())) {
    // Accepted, so the preamble and payload are well formed: count the states
    // of an older layout the way deserialize reads them.
    const auto id = serial_type_of(cxm::serial_tag<T>{});  // ADL: cxm or cxm::engine
    cxm::binary_reader r(in, cxm::serial_preamble_size, in.size(), cxm::read_preamble(in).state_version, id.name);
    (void)cxm::detail::binary_io::read_as<T>(r, r.version());
    if (r.older_layouts() == 0) die(type, "accepted input does not re-serialize to the same bytes");
    const auto again = cxm::serialize(cxm::deserialize<T>(out));
    if (again != out) die(type, "a state read from an older layout is not canonical when written again");
  }
  if (!(cxm::deserialize<T>(out) == x)) die(type, "second round trip differs");
  const nlohmann::json j = x;
  std::string text;
  try {
    text = j.dump();
  } catch (const nlohmann::json::type_error& e) {
    // The binary form takes any bytes as a string key; JSON text needs UTF-8,
    // and dump() says so with type_error 316 (io/binary_engine.hpp, "Keys").
    if (e.id == 316) return;
    throw;
  }
  if (!(cxm::parse_json<T>(text) == x)) die(type, "JSON round trip differs");
}

template <class T>
void try_type(std::span<const std::byte> in, const char* type) {
  try {
    check<T>(in, type);
  } catch (const cxm::serialization_error&) {
    // Rejected input: fine.
  }
}

void try_all(std::span<const std::byte> in) {
  try_type<cxm::scale>(in, "scale");
  try_type<cxm::score_counts>(in, "score_counts");
  try_type<cxm::nps_accumulator>(in, "nps_accumulator");
  try_type<cxm::csat_accumulator>(in, "csat_accumulator");
  try_type<cxm::ces_accumulator>(in, "ces_accumulator");
  try_type<cxm::resolution_accumulator>(in, "resolution_accumulator");
  try_type<cxm::engine::nps_tally>(in, "nps_tally");
  try_type<cxm::engine::weighted_nps_tally>(in, "weighted_nps_tally");
  try_type<cxm::engine::grouped_nps>(in, "grouped_nps");
  try_type<cxm::score_histogram>(in, "score_histogram");
  try_type<cxm::rating_accumulator>(in, "rating_accumulator");
  try_type<cxm::series<cxm::nps_accumulator>>(in, "series<nps>");
  try_type<cxm::metric_set<cxm::nps_accumulator, cxm::csat_accumulator>>(in, "metric_set<nps,csat>");
  try_type<cxm::group_by<cxm::nps_accumulator, cxm::dense_key<4>, std::string>>(in,
                                                                                "group_by<nps,dense_key<4>,string>");
  try_type<cxm::group_by<cxm::score_histogram, cxm::dense_key<>, std::uint64_t>>(in,
                                                                                "group_by<histogram,dense_key<>,u64>");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);
  try_all(in);
  if (size >= cxm::serial_preamble_size && size - cxm::serial_preamble_size <= cxm::serial_max_payload) {
    std::vector<std::byte> fixed(in.begin(), in.end());
    const auto payload = static_cast<std::uint32_t>(size - cxm::serial_preamble_size);
    const auto crc = cxm::crc32(std::span<const std::byte>(fixed).subspan(cxm::serial_preamble_size));
    for (int i = 0; i < 4; ++i) {
      fixed[8 + i] = static_cast<std::byte>((payload >> (8 * i)) & 0xFFu);
      fixed[12 + i] = static_cast<std::byte>((crc >> (8 * i)) & 0xFFu);
    }
    try_all(fixed);
  }
  return 0;
}

#ifdef CXMETRICS_FUZZ_REPLAY_MAIN
#include <filesystem>
#include <fstream>
#include <iterator>

// Replays every regular file under the given directories (or files); fails
// when there is nothing to replay.
int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path p(argv[i]);
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else if (fs::is_regular_file(p)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "deserialize_fuzz: %s is not a file or directory\n", argv[i]);
      return 2;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...  (no inputs found)\n", argv[0]);
    return 2;
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    (void)LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
  }
  std::printf("deserialize_fuzz: replayed %zu inputs\n", files.size());
  return 0;
}
#endif
