// Fuzz target of the CSV and JSON Lines readers.
//
// Input: byte 0 chooses the options (format, delimiter, decimal point, a
// closed channel set, a small max_record_bytes, UTF-8 checks), byte 1 the
// variants; the rest is the text read. Checked on every input:
//   * nothing lost: rows_read == accepted + rejected, the rejects delivered
//     equal `rejected`, the counts per reason and per cause add up to it,
//     and the batches' first_row values run on without a gap;
//   * the same output (the rows in order, the rejects in order, summary,
//     header, or the same error) from the reference read (one thread, one big
//     chunk, and for CSV the scalar state machine only) and from the SIMD
//     path at an instruction-set level chosen by byte 1 and from several
//     threads with tiny chunks. Rows and rejects are compared as two
//     sequences: a batch's rows come before the rejects found among them, so
//     how the two interleave depends on the chunks. What does not is checked
//     instead: rows come in line order, and a reject only after every row of
//     an earlier line;
//   * JSON Lines: a line is rejected as malformed exactly when nlohmann/json
//     (an independent parser) does not accept it as one object;
//   * no two rows or rejects start at the same line (nothing read twice);
//   * CSV: a quote that never closes rejects its own record only: after its
//     reject ("... never closes ...; reading goes on at line L+1"), line L+1
//     starts a row or a reject unless it is empty;
//   * a std::istream read by several threads (windows with barriers) gives
//     the reference output too.
// Any difference aborts. Built as libFuzzer target `ingest_fuzz` (clang,
// -DCXMETRICS_BUILD_FUZZERS=ON) and as `ingest_fuzz_replay`, a plain program
// that runs every file of a corpus directory (CXMETRICS_FUZZ_REPLAY_MAIN).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/isa.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/io/jsonl.hpp"

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "ingest_fuzz: %s\n", what.c_str());
  std::abort();
}

struct outcome {
  std::string text;  // canonical form of everything delivered: rows, rejects, summary
  std::vector<cxm::ingest_reject> rejects;
  std::set<std::uint64_t> starts;  // lines where a row or a reject starts
  bool threw = false;
};

std::string canon_row(const cxm::response_batch& b, std::size_t i) {
  std::string s;
  s += std::to_string(b.first_row() + i) + '|' + std::to_string(b.line()[i]) + '|';
  s += std::string(b.id(i)) + '|' + std::to_string(b.nps()[i]) + ',' + std::to_string(b.csat()[i]) + ',' +
       std::to_string(b.ces()[i]) + '|' + std::to_string(b.time()[i]) + '|';
  s += b.channel_labels().name(cxm::channel_id{b.channel()[i]}) + '#' + std::to_string(b.channel()[i]) + '|';
  s += b.segments().name(b.segment()[i]) + '#' + std::to_string(b.segment()[i]) + '|';
  s += b.agents().name(b.agent()[i]) + '#' + std::to_string(b.agent()[i]) + '|';
  char w[40];
  std::snprintf(w, sizeof w, "%a", b.weight()[i]);
  s += w;
  s += '|' + std::to_string(b.resolved()[i]) + '|' + std::string(b.why(i)) + '\n';
  return s;
}

// Rows in line order, and no reject before a row of an earlier line.
void check_order(const std::vector<std::uint64_t>& row_lines,
                 const std::vector<std::pair<std::uint64_t, std::size_t>>& rejects_after) {
  for (std::size_t i = 1; i < row_lines.size(); ++i) {
    if (row_lines[i] <= row_lines[i - 1]) fail("rows are not delivered in line order");
  }
  for (const auto& [line, rows_before] : rejects_after) {
    const auto earlier = static_cast<std::size_t>(std::lower_bound(row_lines.begin(), row_lines.end(), line) -
                                                  row_lines.begin());
    if (earlier > rows_before) {
      fail("the reject of line " + std::to_string(line) + " came before a row of an earlier line");
    }
  }
}

outcome run(bool jsonl, std::string_view text, const cxm::ingest_options& o, bool stream = false) {
  outcome out;
  std::uint64_t next_row = 0;
  std::uint64_t rows = 0;
  std::string rows_text, rejects_text;
  std::vector<std::uint64_t> row_lines;
  std::vector<std::pair<std::uint64_t, std::size_t>> rejects_after;  // line, rows delivered before it
  cxm::ingest_sink sink;
  sink.on_batch = [&](const cxm::response_batch& b) {
    if (b.first_row() != next_row) fail("batch first_row skips rows");
    for (std::size_t i = 0; i < b.size(); ++i) {
      rows_text += canon_row(b, i);
      row_lines.push_back(b.line()[i]);
    }
    next_row += b.size();
    rows += b.size();
  };
  sink.on_reject = [&](const cxm::ingest_reject& r) {
    rejects_text += "R|" + r.file + '|' + std::to_string(r.line) + '|' + std::to_string(r.column) + '|' + r.field +
                    '|' + r.value + '|' + r.reason + '|' + std::to_string(r.error_id) + '|' +
                    std::string(cxm::to_string(r.cause)) + '\n';
    rejects_after.emplace_back(r.line, row_lines.size());
    out.rejects.push_back(r);
  };
  try {
    std::istringstream in{std::string(text)};
    const cxm::ingest_report rep = stream ? (jsonl ? cxm::stream_responses_jsonl(in, "f", o, sink)
                                                   : cxm::stream_responses_csv(in, "f", o, sink))
                                          : (jsonl ? cxm::stream_responses_jsonl_text(text, "f", o, sink)
                                                   : cxm::stream_responses_csv_text(text, "f", o, sink));
    const auto& s = rep.summary;
    if (s.rows_read != s.accepted + s.rejected) fail("rows_read != accepted + rejected");
    if (s.accepted != rows) fail("accepted != rows delivered");
    if (s.rejected != out.rejects.size()) fail("rejected != rejects delivered");
    std::uint64_t by_reason = 0, by_cause = 0;
    for (const auto& [k, n] : s.rejected_by_reason) by_reason += n;
    for (const auto& [k, n] : s.rejected_by_cause) by_cause += n;
    if (by_reason != s.rejected || by_cause != s.rejected) fail("counts by reason or cause do not add up");
    out.text += "S|" + std::to_string(s.rows_read) + '|' + std::to_string(s.accepted) + '|' +
                std::to_string(s.rejected) + '|' + std::to_string(s.empty_lines) + '|' + std::to_string(s.bytes_read);
    for (const auto& [k, n] : s.missing_by_field) out.text += '|' + k + '=' + std::to_string(n);
    for (const auto& h : rep.header) out.text += "|H:" + h;
    for (const auto& h : rep.ignored_columns) out.text += "|I:" + h;
  } catch (const cxm::error& e) {
    out.text += std::string("E|") + e.what();
    out.threw = true;
  }
  check_order(row_lines, rejects_after);
  // Each row and reject starts a line of its own.
  std::set<std::uint64_t> starts(row_lines.begin(), row_lines.end());
  for (const auto& [line, rows_before] : rejects_after) {
    if (!starts.insert(line).second) fail("two rows or rejects start at line " + std::to_string(line));
  }
  out.starts = std::move(starts);
  out.text = rows_text + "--\n" + rejects_text + out.text;  // then the summary or the error
  return out;
}

// nlohmann's verdict on one line: 1 one object, 0 not, -1 cannot say (a
// number it refuses to hold, e.g. 1e400, which RFC 8259 syntax allows; a NUL
// byte, which nlohmann takes for the end of the input; a byte order mark,
// which nlohmann skips at the start of any text and the reader only at the
// start of the file).
int nlohmann_object(std::string_view line) {
  if (line.find('\0') != std::string_view::npos || line.substr(0, 3) == "\xEF\xBB\xBF") return -1;
  try {
    const auto j = nlohmann::json::parse(line.begin(), line.end());
    return j.is_object() ? 1 : 0;
  } catch (const nlohmann::json::parse_error&) {
    return 0;
  } catch (const nlohmann::json::out_of_range&) {
    return -1;
  }
}

void check_json_lines(std::string_view text, const cxm::ingest_options& o, const outcome& ref) {
  std::map<std::uint64_t, const cxm::ingest_reject*> by_line;
  for (const auto& r : ref.rejects) by_line.emplace(r.line, &r);
  std::uint64_t line = 1;
  std::size_t pos = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  while (pos <= text.size()) {
    const std::size_t lf = text.find('\n', pos);
    const std::size_t end = lf == std::string_view::npos ? text.size() : lf;
    const std::string_view l = text.substr(pos, end - pos);
    if (l.size() <= o.max_record_bytes && l.find_first_not_of(" \t\r") != std::string_view::npos) {
      const int want = nlohmann_object(l);
      const auto it = by_line.find(line);
      // Text that is not UTF-8 is not JSON (RFC 8259 §8.1); the reader names
      // the field whose string it is in.
      const bool malformed = it != by_line.end() &&
                             (it->second->cause == cxm::reject_cause::malformed_json ||
                              it->second->cause == cxm::reject_cause::invalid_utf8) &&
                             it->second->reason.find("appears twice") == std::string::npos;
      if (want >= 0 && (want == 1) == malformed) {
        fail("line " + std::to_string(line) + ": nlohmann says " + (want == 1 ? "object" : "not an object") +
             ", the reader " + (malformed ? "rejected it as malformed" : "did not"));
      }
    }
    if (lf == std::string_view::npos) break;
    pos = lf + 1;
    ++line;
  }
}

// Each physical line: its length and whether a line break ends it (LF,
// CRLF or a lone CR; a BOM at the start is not part of line 1).
std::vector<std::pair<std::size_t, bool>> physical_lines(std::string_view text) {
  std::vector<std::pair<std::size_t, bool>> out;
  std::size_t i = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  std::size_t start = i;
  for (; i < text.size(); ++i) {
    if (text[i] == '\n' || text[i] == '\r') {
      out.emplace_back(i - start, true);
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < text.size()) out.emplace_back(text.size() - start, false);
  return out;
}

// After a quote that never closes, reading goes on at the next line.
void check_reread(std::string_view text, const outcome& ref) {
  const auto lines = physical_lines(text);
  for (const auto& r : ref.rejects) {
    if (r.cause != cxm::reject_cause::malformed_csv || r.reason.find("never closes") == std::string::npos) continue;
    if (r.line == 0 || r.line > lines.size()) fail("a reject names line " + std::to_string(r.line));
    const std::string tail = "; reading goes on at line " + std::to_string(r.line + 1);
    const bool goes_on = r.reason.ends_with(tail);
    if (goes_on != lines[r.line - 1].second) {
      fail("line " + std::to_string(r.line) + ": a quote that never closes " +
           (goes_on ? "says reading goes on after the last line" : "does not say where reading goes on"));
    }
    // Line L + 1 (lines[L]) starts a row or a reject, unless empty.
    if (r.line < lines.size() && lines[r.line].first != 0 && ref.starts.count(r.line + 1) == 0) {
      fail("line " + std::to_string(r.line + 1) + " after a quote that never closes was not read again");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t opt = data[0];
  const std::uint8_t var = data[1];
  const std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);
  const bool jsonl = (opt & 1) != 0;

  cxm::ingest_options o;
  static constexpr char delimiters[] = {',', ';', '\t', '|'};
  o.delimiter = delimiters[(opt >> 1) & 3];
  o.decimal_point = (opt & 8) != 0 ? ',' : '.';
  if ((opt & 16) != 0) o.channels = cxm::channel_set::closed_of({"phone", "chat", "email"});
  o.max_record_bytes = (opt & 32) != 0 ? 40 : (std::size_t{1} << 20);
  o.validate_utf8 = (opt & 64) == 0;
  if ((opt & 128) != 0) {
    o.columns.nps = "score";
    o.resolved.yes = {"kyllä", "k"};
    o.resolved.no = {"ei", "e"};
  }

  // Reference: one thread, one big chunk, the scalar state machine.
  cxm::ingest_options ref_o = o;
  ref_o.simd = false;
  ref_o.threads = 1;
  ref_o.chunk_bytes = std::size_t{1} << 20;
  const outcome ref = run(jsonl, text, ref_o);

  // SIMD at a level picked by byte 1.
  const auto levels = cxm::available_isas();
  cxm::force_isa(levels[(var >> 5) % levels.size()]);
  cxm::ingest_options fast = ref_o;
  fast.simd = true;
  const outcome a = run(jsonl, text, fast);
  if (a.text != ref.text) fail("SIMD path differs from the state machine:\n--- reference\n" + ref.text + "\n--- simd\n" + a.text);

  // Threads and tiny chunks (at most about 64 windows per input).
  static constexpr std::size_t chunks[] = {1, 2, 3, 7, 16, 64, 300, 4096};
  cxm::ingest_options mt = fast;
  mt.threads = 2 + (var & 3) % 3;
  mt.chunk_bytes = std::max(chunks[(var >> 2) & 7], text.size() / (mt.threads * 64) + 1);
  const outcome b = run(jsonl, text, mt);
  cxm::force_isa(std::nullopt);
  if (b.text != ref.text) {
    fail("threads " + std::to_string(mt.threads) + ", chunk " + std::to_string(mt.chunk_bytes) +
         " differ:\n--- reference\n" + ref.text + "\n--- threads\n" + b.text);
  }
  // A stream, read by several threads in windows.
  const outcome st = run(jsonl, text, mt, true);
  if (st.text != ref.text) {
    fail("a stream read by " + std::to_string(mt.threads) + " threads, chunk " + std::to_string(mt.chunk_bytes) +
         " differs:\n--- reference\n" + ref.text + "\n--- stream\n" + st.text);
  }
  if (jsonl && !ref.threw) check_json_lines(text, o, ref);
  if (!jsonl && !ref.threw) check_reread(text, ref);
  return 0;
}

#ifdef CXMETRICS_FUZZ_REPLAY_MAIN
#include <filesystem>
#include <fstream>
#include <iterator>

// Replays every file of the directories (or files) given.
int main(int argc, char** argv) {
  std::size_t n = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(argv[i])) {
      for (const auto& e : std::filesystem::directory_iterator(argv[i])) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else {
      files.emplace_back(argv[i]);
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      (void)LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      ++n;
    }
  }
  std::printf("ingest_fuzz_replay: %zu inputs, all invariants held\n", n);
  return n > 0 ? 0 : 1;
}
#endif
