// Ingestion (io/ingest.hpp, io/csv.hpp, io/jsonl.hpp, io/readstat.hpp): the
// RFC 4180 edges, every reject reason with its line, column, field and value,
// strict mode, missing fields, the mapping file, decimal comma, the same
// output for every chunk size, thread count, instruction-set level and for the
// scalar state machine, and the same responses read from CSV, JSON Lines and
// SPSS .sav (written here with ReadStat's writer).
//
// Expected values are written by hand from the input texts. Unix times come
// from Python's datetime (printed values quoted next to them), for example
//   /usr/bin/python3 -c "from datetime import datetime; print(int(datetime.fromisoformat(
//       '2024-03-05T14:07:09+00:00').timestamp()))"            → 1709647629
// and the epochs of SPSS and Stata/SAS from
//   /usr/bin/python3 -c "from datetime import date; print((date(1970,1,1)-date(1582,10,14)).days,
//       (date(1970,1,1)-date(1960,1,1)).days)"                  → 141428 3653
#include <algorithm>
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/timestamp.hpp"
#include "cxmetrics/engine/isa.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/io/jsonl.hpp"
#include "cxmetrics/io/readstat.hpp"

#ifdef CXMETRICS_TEST_READSTAT
#include <readstat.h>
#endif

namespace {

using namespace cxm;

// Everything a read delivered, in order.
struct outcome {
  std::vector<response> rows;
  std::vector<std::uint64_t> lines;
  std::vector<ingest_reject> rejects;
  ingest_report report;
  std::vector<std::string> channel_names;  // the reader's channel labels after the read
  // All of it as one string, for comparing reads: the rows in order, then
  // the rejects in order, then the summary. A batch's rows come before the
  // rejects found among them, so how rows and rejects interleave depends on
  // the chunks; read() checks what does not (see below).
  std::string canon;
};

std::string canon_row(const response_batch& b, std::size_t i) {
  std::ostringstream s;
  s << b.first_row() + i << '|' << b.line()[i] << '|' << b.id(i) << '|' << int(b.nps()[i]) << ',' << int(b.csat()[i])
    << ',' << int(b.ces()[i]) << '|' << b.time()[i] << '|' << b.channel()[i] << ':'
    << b.channel_labels().name(channel_id{b.channel()[i]}) << '|' << b.segment()[i] << ':'
    << b.segments().name(b.segment()[i]) << '|' << b.agent()[i] << ':' << b.agents().name(b.agent()[i]) << '|';
  char w[40];
  std::snprintf(w, sizeof w, "%a", b.weight()[i]);
  s << w << '|' << int(b.resolved()[i]) << '|' << b.why(i) << '\n';
  return s.str();
}

enum class fmt { csv, jsonl };
// Text in memory (read at offsets, like a file) or an std::istream (read once,
// in order: the readers' other way of splitting work among threads).
enum class via { memory, stream, file };

std::filesystem::path temp_file(const std::string& name, std::string_view content);

outcome read(fmt f, std::string_view text, const ingest_options& o = {}, via v = via::memory) {
  outcome out;
  ingest_sink sink;
  const channel_set* labels = nullptr;
  std::string rejects_canon;
  std::vector<std::size_t> rows_before_reject;
  // Whatever the thread count, the sink runs on the calling thread.
  const auto caller = std::this_thread::get_id();
  sink.on_batch = [&](const response_batch& b) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    for (std::size_t i = 0; i < b.size(); ++i) {
      out.rows.push_back(b.row(i));
      out.lines.push_back(b.line()[i]);
      out.canon += canon_row(b, i);
    }
    labels = &b.channel_labels();
    out.channel_names = labels->names();
  };
  sink.on_reject = [&](const ingest_reject& r) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    out.rejects.push_back(r);
    rows_before_reject.push_back(out.rows.size());
    ingest_reject named = r;  // a file is named by its path; compare as "t"
    named.file = "t";
    rejects_canon += "R " + named.message() + " | value=" + r.value + " | cause=" + std::string(to_string(r.cause)) + '\n';
  };
  if (v == via::stream) {
    std::istringstream in{std::string(text)};
    out.report = f == fmt::csv ? stream_responses_csv(in, "t", o, sink) : stream_responses_jsonl(in, "t", o, sink);
  } else if (v == via::file) {
    const auto path = temp_file(f == fmt::csv ? "via_file.csv" : "via_file.jsonl", text);
    out.report = f == fmt::csv ? stream_responses_csv(path, o, sink) : stream_responses_jsonl(path, o, sink);
  } else {
    out.report =
        f == fmt::csv ? stream_responses_csv_text(text, "t", o, sink) : stream_responses_jsonl_text(text, "t", o, sink);
  }
  // Rows come in line order, and a reject only after every row of an earlier line.
  EXPECT_TRUE(std::is_sorted(out.lines.begin(), out.lines.end()));
  for (std::size_t k = 0; k < out.rejects.size(); ++k) {
    const auto earlier = std::lower_bound(out.lines.begin(), out.lines.end(), out.rejects[k].line) - out.lines.begin();
    EXPECT_LE(static_cast<std::size_t>(earlier), rows_before_reject[k]) << "reject of line " << out.rejects[k].line;
  }
  out.canon += "--\n" + rejects_canon;
  const auto& s = out.report.summary;
  out.canon += "S " + std::to_string(s.rows_read) + ' ' + std::to_string(s.accepted) + ' ' + std::to_string(s.rejected) +
               ' ' + std::to_string(s.empty_lines);
  for (const auto& [k, n] : s.missing_by_field) out.canon += ' ' + k + '=' + std::to_string(n);
  for (const auto& [k, n] : s.rejected_by_cause) out.canon += ' ' + k + '=' + std::to_string(n);
  return out;
}

void expect_balanced(const ingest_summary& s) {
  EXPECT_EQ(s.rows_read, s.accepted + s.rejected);
  std::uint64_t by_reason = 0, by_cause = 0;
  for (const auto& [k, n] : s.rejected_by_reason) by_reason += n;
  for (const auto& [k, n] : s.rejected_by_cause) by_cause += n;
  EXPECT_EQ(by_reason, s.rejected);
  EXPECT_EQ(by_cause, s.rejected);
}

// Reads `text` with every chunk size of the task (1, 2, 3, 7, 64 bytes and
// the default), 1 to 4 threads, and the scalar state machine, and checks
// that each read delivers exactly what the reference (default options) does.
void expect_same_everywhere(fmt f, std::string_view text, const ingest_options& base) {
  ingest_options ref_o = base;
  const outcome ref = read(f, text, ref_o);
  expect_balanced(ref.report.summary);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, std::size_t{64},
                            std::size_t{1} << 20}) {
    for (unsigned threads : {1U, 2U, 3U, 4U}) {
      for (bool simd : {true, false}) {
        ingest_options o = base;
        o.chunk_bytes = chunk;
        o.threads = threads;
        o.simd = simd;
        SCOPED_TRACE("chunk " + std::to_string(chunk) + ", threads " + std::to_string(threads) + ", simd " +
                     std::to_string(simd));
        EXPECT_EQ(read(f, text, o).canon, ref.canon);
      }
    }
  }
}

std::filesystem::path temp_file(const std::string& name, std::string_view content) {
  const auto dir = std::filesystem::temp_directory_path() / "cxm_ingest_test";
  std::filesystem::create_directories(dir);
  const auto p = dir / name;
  std::ofstream out(p, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return p;
}

// ---------------------------------------------------------------------------
// CSV syntax

// Lines: BOM+header 1, q1 2, empty 3, q2 4, q3 5-6, empty 7, q4 8-9, q5 10
// (ends in a lone CR), q6 11 (no final line break).
const std::string kEdges =
    "\xEF\xBB\xBFid,nps,why\r\n"
    "q1,10,\"fast, friendly\"\r\n"
    "\r\n"
    "q2,9,\"she said \"\"no problem\"\"\"\n"
    "q3,8,\"line one\nline two\"\n"
    "\n"
    "q4,7,\"crlf\r\ninside\"\r\n"
    "q5,6,\"\"\r"
    "q6,5,plain";

TEST(IngestCsv, Rfc4180EdgesByHand) {
  const outcome r = read(fmt::csv, kEdges);
  ASSERT_TRUE(r.rejects.empty()) << r.rejects[0].message();
  EXPECT_EQ(r.report.header, (std::vector<std::string>{"id", "nps", "why"}));
  ASSERT_EQ(r.rows.size(), 6U);
  const std::vector<std::string> ids{"q1", "q2", "q3", "q4", "q5", "q6"};
  const std::vector<int> nps{10, 9, 8, 7, 6, 5};
  const std::vector<std::string> why{"fast, friendly", "she said \"no problem\"", "line one\nline two",
                                     "crlf\r\ninside", "", "plain"};
  const std::vector<std::uint64_t> lines{2, 4, 5, 8, 10, 11};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(r.rows[i].id, ids[i]);
    EXPECT_EQ(r.rows[i].nps, nps[i]);
    EXPECT_EQ(r.rows[i].why, why[i]);
    EXPECT_EQ(r.lines[i], lines[i]);
  }
  const auto& s = r.report.summary;
  EXPECT_EQ(s.rows_read, 6U);
  EXPECT_EQ(s.empty_lines, 2U);
  EXPECT_EQ(s.missing_by_field.at("why"), 1U);
  EXPECT_EQ(s.bytes_read, kEdges.size());
}

TEST(IngestCsv, EveryChunkSizeThreadCountAndTheStateMachineAgree) {
  expect_same_everywhere(fmt::csv, kEdges, {});
}

TEST(IngestCsv, QuotedLineBreaksAcrossChunkBoundaries) {
  // A 90-byte quoted comment with 9 line breaks: with 7- and 64-byte chunks
  // and 2-4 threads, chunk boundaries fall inside it, where a chunk must
  // start inside quotes. Lines: header 1, a 2, b 3-12, c 13.
  std::string note = "\"";
  for (int i = 0; i < 9; ++i) note += "part, " + std::to_string(i) + "\n";
  note += "end\"";
  const std::string text = "id,nps,why\na,1,x\nb,2," + note + "\nc,3,y\n";
  const outcome r = read(fmt::csv, text);
  ASSERT_EQ(r.rows.size(), 3U);
  EXPECT_EQ(r.rows[1].why, note.substr(1, note.size() - 2));
  EXPECT_EQ(r.lines, (std::vector<std::uint64_t>{2, 3, 13}));
  expect_same_everywhere(fmt::csv, text, {});
}

TEST(IngestCsv, StrayQuotesFollowTheStateMachineWhateverTheSplit) {
  // A quote inside an unquoted field is a literal (row 2) and flips quote
  // parity for everything after it, so the speculative chunk starts are
  // wrong and must be parsed again; text after a closing quote is a reject.
  const std::string text =
      "nps,why\n"
      "9,5\" screen\n"          // 2: literal quote
      "8,\"a,b\"\n"             // 3
      "7,\"x\"y,z\n"            // 4: malformed (text after the closing quote)
      "6,\"line\nbreak\"\n"     // 5-6
      "5, \"lead\"\n"           // 7: literal quotes after a blank
      "4,last\n";               // 8
  const outcome r = read(fmt::csv, text);
  ASSERT_EQ(r.rows.size(), 5U);
  EXPECT_EQ(r.rows[0].why, "5\" screen");
  EXPECT_EQ(r.rows[1].why, "a,b");
  EXPECT_EQ(r.rows[2].why, "line\nbreak");
  EXPECT_EQ(r.rows[3].why, " \"lead\"");
  EXPECT_EQ(r.rows[4].why, "last");
  EXPECT_EQ(r.lines, (std::vector<std::uint64_t>{2, 3, 5, 7, 8}));
  ASSERT_EQ(r.rejects.size(), 1U);
  EXPECT_EQ(r.rejects[0].line, 4U);
  EXPECT_EQ(r.rejects[0].column, 2U);
  EXPECT_EQ(r.rejects[0].field, "why");
  EXPECT_EQ(r.rejects[0].value, "xy");
  EXPECT_EQ(r.rejects[0].cause, reject_cause::malformed_csv);
  expect_same_everywhere(fmt::csv, text, {});
}

TEST(IngestCsv, ThreadsHandBackAtStrayQuotesAndLongRecordsAndGoOn) {
  // 200 KB read by several threads in pieces of 4 KiB: a stray quote flips
  // the quote parity of every later piece (the in-order check hands the
  // input back to one thread at the last good boundary), and a quoted field
  // of 300 KB is longer than a piece may grow to hold its last record (the
  // same). Rows, lines and values must be those of one thread, and the read
  // must go on in pieces after each.
  std::string text = "id,nps,why\n";
  std::string long_why;
  for (int k = 0; k < 3000; ++k) long_why += std::string(99, static_cast<char>('a' + k % 26)) + '\n';
  std::uint64_t line = 1;
  std::vector<std::uint64_t> want_lines;
  for (int i = 0; i < 6000; ++i) {
    ++line;
    want_lines.push_back(line);
    const std::string id = "r" + std::to_string(i);
    if (i == 2000) {
      text += id + ",5,5\" screen\n";  // literal quote in an unquoted field
    } else if (i == 4000) {
      text += id + ",6,\"" + long_why + "\"\n";
      line += 3000;  // the line breaks inside the quotes
    } else if (i % 7 == 0) {
      // After the stray quote, a quoted line break looks like a record end.
      text += id + "," + std::to_string(i % 11) + ",\"two\nlines\"\n";
      ++line;
    } else {
      text += id + "," + std::to_string(i % 11) + ",\"comment, with a comma\"\n";
    }
  }
  const outcome ref = read(fmt::csv, text);
  ASSERT_EQ(ref.rows.size(), 6000U);
  EXPECT_TRUE(ref.rejects.empty());
  EXPECT_EQ(ref.lines, want_lines);
  EXPECT_EQ(ref.rows[2000].why, "5\" screen");
  EXPECT_EQ(ref.rows[4000].why, long_why);
  EXPECT_EQ(ref.rows[5999].id, "r5999");
  EXPECT_EQ(ref.rows[4998].why, "two\nlines");
  for (unsigned threads : {2U, 3U}) {
    ingest_options o;
    o.threads = threads;
    o.chunk_bytes = 16 << 10;
    SCOPED_TRACE("threads " + std::to_string(threads));
    const outcome r = read(fmt::csv, text, o);
    EXPECT_EQ(r.canon, ref.canon);
    EXPECT_EQ(r.report.summary.bytes_read, text.size());
  }
}

TEST(IngestCsv, EveryInstructionSetLevelGivesTheSameOutput) {
  const outcome ref = read(fmt::csv, kEdges);
  for (const auto level : engine::available_isas()) {
    engine::force_isa(level);
    SCOPED_TRACE(std::string(engine::to_string(level)));
    ingest_options o;
    o.chunk_bytes = 7;
    o.threads = 2;
    EXPECT_EQ(read(fmt::csv, kEdges, o).canon, ref.canon);
  }
  engine::force_isa(std::nullopt);
}

TEST(IngestCsv, StreamFileAndMemorySourcesAgree) {
  const outcome mem = read(fmt::csv, kEdges);
  const auto path = temp_file("edges.csv", kEdges);
  std::string from_file, from_stream;
  for (int k = 0; k < 2; ++k) {
    std::string& dst = k == 0 ? from_file : from_stream;
    ingest_sink sink;
    sink.on_batch = [&](const response_batch& b) {
      for (std::size_t i = 0; i < b.size(); ++i) dst += canon_row(b, i);
    };
    ingest_options o;
    o.threads = 2;
    o.chunk_bytes = 3;
    if (k == 0) {
      (void)stream_responses_csv(path, o, sink);
    } else {
      std::ifstream in(path, std::ios::binary);
      (void)stream_responses_csv(in, "t", o, sink);
    }
  }
  const std::string rows_only = mem.canon.substr(0, mem.canon.find("--\n"));
  EXPECT_EQ(from_file, rows_only);
  EXPECT_EQ(from_stream, rows_only);
}

// ---------------------------------------------------------------------------
// Rejects

// Closed channel set {phone, chat, email}: ids 0, 1, 2.
const std::string kRejects =
    "id,timestamp,channel,agent,nps,csat,resolved,weight,why\n"    // 1
    "ok1,2024-03-05T14:07:09Z,chat,ann,9,5,yes,1.25,fine\n"        // 2 accepted
    "b01,2024-03-05,chat,ann,11,5,yes,1,x\n"                        // 3
    "b02,2024-03-05,chat,ann,7.5,5,yes,1,x\n"                       // 4
    "b03,2024-03-05,chat,ann,abc,5,yes,1,x\n"                       // 5
    "b04,2024-13-01,chat,ann,9,5,yes,1,x\n"                         // 6
    "b05,2024-03-05,fax,ann,9,5,yes,1,x\n"                          // 7
    "b06,2024-03-05,chat,ann,9,5,maybe,1,x\n"                       // 8
    "b07,2024-03-05,chat,ann,9,5,yes,-1,x\n"                        // 9
    "b08,2024-03-05,chat,ann,9,5,yes,NaN,x\n"                       // 10
    "b09,2024-03-05,chat,ann,9,5,yes,inf,x\n"                       // 11
    "b10,2024-03-05,chat,ann,9,5,yes,1e999,x\n"                     // 12
    "b11,2024-03-05,chat,ann,9,5,yes,heavy,x\n"                     // 13
    "b12,2024-03-05,chat,\xFF\xFE,9,5,yes,1,x\n"                    // 14
    "b13,2024-03-05,chat,ann,9,5,yes\n"                             // 15
    "b14,2024-03-05,chat,ann,9,5,yes,1,x,extra\n"                   // 16
    "b15,2024-03-05,chat,ann,9,\"5\"x,yes,1,x\n"                    // 17
    "ok2,,email,,0,,no,,\n"                                          // 18 accepted
    "b16,2024-03-05,chat,ann,9,5,yes,1,\"never closed\n";           // 19

ingest_options closed_channels() {
  ingest_options o;
  o.channels = channel_set::closed_of({"phone", "chat", "email"});
  return o;
}

TEST(IngestCsv, EveryRejectReasonWithLineColumnFieldValue) {
  const outcome r = read(fmt::csv, kRejects, closed_channels());
  const auto& s = r.report.summary;
  EXPECT_EQ(s.rows_read, 18U);
  EXPECT_EQ(s.accepted, 2U);
  EXPECT_EQ(s.rejected, 16U);
  expect_balanced(s);
  struct want {
    std::uint64_t line, column;
    const char* field;
    const char* value;
    int id;
    reject_cause cause;
  };
  const std::vector<want> w{
      {3, 5, "nps", "11", score_out_of_scale::code, reject_cause::score_out_of_scale},
      {4, 5, "nps", "7.5", invalid_value::code, reject_cause::not_an_integer},
      {5, 5, "nps", "abc", parse_error::code, reject_cause::not_a_number},
      {6, 2, "timestamp", "2024-13-01", malformed_timestamp::code, reject_cause::malformed_timestamp},
      {7, 3, "channel", "fax", unknown_channel::code, reject_cause::unknown_channel},
      {8, 7, "resolved", "maybe", invalid_value::code, reject_cause::invalid_flag},
      {9, 8, "weight", "-1", invalid_weight::code, reject_cause::invalid_weight},
      {10, 8, "weight", "NaN", invalid_weight::code, reject_cause::invalid_weight},
      {11, 8, "weight", "inf", invalid_weight::code, reject_cause::invalid_weight},
      {12, 8, "weight", "1e999", invalid_weight::code, reject_cause::invalid_weight},
      {13, 8, "weight", "heavy", parse_error::code, reject_cause::not_a_number},
      {14, 4, "agent", "\\xFF\\xFE", parse_error::code, reject_cause::invalid_utf8},
      {15, 0, "", "b13,2024-03-05,chat,ann,9,5,yes", parse_error::code, reject_cause::field_count},
      {16, 0, "", "b14,2024-03-05,chat,ann,9,5,yes,1,x,extra", parse_error::code, reject_cause::field_count},
      {17, 6, "csat", "5x", parse_error::code, reject_cause::malformed_csv},
      // The quote never closes: the value is the line it opens on.
      {19, 9, "why", "b16,2024-03-05,chat,ann,9,5,yes,1,\"never closed", parse_error::code, reject_cause::malformed_csv},
  };
  ASSERT_EQ(r.rejects.size(), w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    SCOPED_TRACE("reject " + std::to_string(i));
    const auto& x = r.rejects[i];
    EXPECT_EQ(x.file, "t");
    EXPECT_EQ(x.line, w[i].line);
    EXPECT_EQ(x.column, w[i].column);
    EXPECT_EQ(x.field, w[i].field);
    EXPECT_EQ(x.value, w[i].value);
    EXPECT_EQ(x.error_id, w[i].id);
    EXPECT_EQ(x.cause, w[i].cause);
  }
  EXPECT_EQ(r.rejects[0].reason, "score 11 is outside the NPS scale 0..10");
  EXPECT_EQ(r.rejects[2].reason, "score 'abc' is not a number");
  EXPECT_EQ(r.rejects[6].reason, "weight -1.000000 is negative");
  EXPECT_EQ(r.rejects[7].reason, "weight is NaN");
  EXPECT_EQ(r.rejects[8].reason, "weight is infinite (inf)");
  EXPECT_EQ(r.rejects[9].reason, "weight 1e999 is outside the range of weights: 0, or 1e-100 to 1e100");
  EXPECT_EQ(r.rejects[11].reason, "agent is not valid UTF-8 (byte 0xFF at offset 0 of the field)");
  // "b16,2024-03-05,chat,ann,9,5,yes,1," is 34 bytes: the quote is byte 35.
  EXPECT_EQ(r.rejects[15].reason, "the quote opened at line 19, column 35 (field 9) never closes: the input ends inside "
                                  "it; reading goes on at line 20");
  EXPECT_EQ(r.rejects[12].reason, "the row has 7 fields, the header has 9");
  EXPECT_EQ(r.rejects[0].message(), "[cxm.score_out_of_scale.101] t:3:5, field 'nps': score 11 is outside the NPS scale 0..10");

  const std::map<std::string, std::uint64_t> by_reason{{"score_out_of_scale", 1}, {"invalid_value", 2},
                                                       {"parse_error", 7},        {"malformed_timestamp", 1},
                                                       {"unknown_channel", 1},    {"invalid_weight", 4}};
  EXPECT_EQ(s.rejected_by_reason, by_reason);
  const std::map<std::string, std::uint64_t> by_cause{
      {"score_out_of_scale", 1}, {"not_an_integer", 1}, {"not_a_number", 2}, {"malformed_timestamp", 1},
      {"unknown_channel", 1},    {"invalid_flag", 1},   {"invalid_weight", 4}, {"invalid_utf8", 1},
      {"field_count", 2},        {"malformed_csv", 2}};
  EXPECT_EQ(s.rejected_by_cause, by_cause);
  // Empty optional fields of accepted rows are missing, counted per field.
  const std::map<std::string, std::uint64_t> missing{{"id", 0},       {"timestamp", 1}, {"channel", 0},
                                                     {"agent", 1},    {"nps", 0},       {"csat", 1},
                                                     {"resolved", 0}, {"weight", 1},    {"why", 1}};
  EXPECT_EQ(s.missing_by_field, missing);

  ASSERT_EQ(r.rows.size(), 2U);
  const response& a = r.rows[0];
  EXPECT_EQ(a.id, "ok1");
  ASSERT_TRUE(a.time.has_value());
  EXPECT_EQ(a.time->time_since_epoch().count(), 1709647629);  // datetime 2024-03-05T14:07:09+00:00
  EXPECT_EQ(a.channel.value, 1);                               // chat in {phone, chat, email}
  EXPECT_EQ(a.agent, "ann");
  EXPECT_EQ(a.nps, 9);
  EXPECT_EQ(a.csat, 5);
  EXPECT_EQ(a.resolved, resolution::yes);
  EXPECT_EQ(a.weight, 1.25);
  EXPECT_EQ(a.why, "fine");
  const response& b = r.rows[1];
  EXPECT_EQ(b.id, "ok2");
  EXPECT_FALSE(b.time.has_value());
  EXPECT_EQ(b.channel.value, 2);
  EXPECT_EQ(b.agent, "");
  EXPECT_EQ(b.nps, 0);
  EXPECT_FALSE(b.csat.has_value());
  EXPECT_EQ(b.resolved, resolution::no);
  EXPECT_EQ(b.weight, 1.0);
  EXPECT_EQ(b.why, "");
  EXPECT_EQ(r.lines, (std::vector<std::uint64_t>{2, 18}));

  expect_same_everywhere(fmt::csv, kRejects, closed_channels());
}

TEST(IngestCsv, RecordsLongerThanTheLimitBecomeOneRejectEach) {
  // max_record_bytes 30: row 3 has 43 bytes on one line (record_too_long);
  // the quoted field of row 4 spans lines 4-8 and the record grows past 30
  // bytes, which is how a quote that never closes shows itself: a
  // malformed_csv reject for line 4, and lines 5-8 are read again as records
  // (each of one field: field_count). Either the record ends in the window
  // being parsed, or the reader streams past it: the output must not depend
  // on which (chunk sizes 1 to 64).
  const std::string text =
      "id,nps,why\n"                                   // 1
      "a,1,short\n"                                    // 2
      "b,2,this line is far too long for the limit\n"  // 3
      "c,3,\"quoted\nover\nfive\nlines\nok\"\n"        // 4-8
      "d,4,fine\n";                                    // 9
  ingest_options o;
  o.max_record_bytes = 30;
  const outcome r = read(fmt::csv, text, o);
  ASSERT_EQ(r.rows.size(), 2U);
  EXPECT_EQ(r.rows[0].id, "a");
  EXPECT_EQ(r.rows[1].id, "d");
  EXPECT_EQ(r.lines, (std::vector<std::uint64_t>{2, 9}));
  ASSERT_EQ(r.rejects.size(), 6U);
  EXPECT_EQ(r.rejects[0].line, 3U);
  EXPECT_EQ(r.rejects[0].cause, reject_cause::record_too_long);
  EXPECT_EQ(r.rejects[0].value, "b,2,this line is far too long for the limit");
  EXPECT_EQ(r.rejects[1].line, 4U);
  EXPECT_EQ(r.rejects[1].cause, reject_cause::malformed_csv);
  EXPECT_EQ(r.rejects[1].value, "c,3,\"quoted");
  EXPECT_EQ(r.rejects[1].column, 3U);
  EXPECT_EQ(r.rejects[1].field, "why");
  EXPECT_EQ(r.rejects[1].reason, "the quote opened at line 4, column 5 (field 3) never closes: the record is longer "
                                 "than 30 bytes (max_record_bytes); reading goes on at line 5");
  const std::vector<std::string> reread{"over", "five", "lines", "ok\""};
  for (std::size_t k = 0; k < reread.size(); ++k) {
    EXPECT_EQ(r.rejects[2 + k].line, 5U + k);
    EXPECT_EQ(r.rejects[2 + k].cause, reject_cause::field_count);
    EXPECT_EQ(r.rejects[2 + k].value, reread[k]);
  }
  expect_same_everywhere(fmt::csv, text, o);

  // The same records after 84 KB of rows, so that the first read (64 KiB)
  // does not hold the whole input and small windows really stream past them;
  // plus a record of 300 bytes on one line, whose reject shows its first 256,
  // and one whose quoted field spans a line break only after 300 bytes: too
  // long before its quotes span, so it is record_too_long and ends at its
  // first line break (line 7011); line 7012 is a record again.
  const std::string long_why(296, 'x');
  std::string padded = "id,nps,why\n";
  for (int i = 0; i < 7000; ++i) padded += "p,5,padding\n";
  padded += text.substr(text.find('\n') + 1) + "e,5," + long_why + "\n" + "f,6,\"" + long_why + "\nstill\"\n" +
            "g,7,last\n";
  const outcome ref = read(fmt::csv, padded, o);
  ASSERT_EQ(ref.rejects.size(), 9U);
  EXPECT_EQ(ref.rejects[0].value, "b,2,this line is far too long for the limit");
  EXPECT_EQ(ref.rejects[1].value, "c,3,\"quoted");
  EXPECT_EQ(ref.rejects[6].value, ("e,5," + long_why).substr(0, 256));
  EXPECT_EQ(ref.rejects[6].line, 7000U + 10U);
  EXPECT_EQ(ref.rejects[7].value, ("f,6,\"" + long_why).substr(0, 256));
  EXPECT_EQ(ref.rejects[7].line, 7011U);
  EXPECT_EQ(ref.rejects[7].cause, reject_cause::record_too_long);
  EXPECT_EQ(ref.rejects[8].value, "still\"");
  EXPECT_EQ(ref.rejects[8].line, 7012U);
  EXPECT_EQ(ref.rows.back().id, "g");
  EXPECT_EQ(ref.lines.back(), 7013U);
  for (std::size_t chunk : {std::size_t{7}, std::size_t{64}, std::size_t{300}}) {
    for (unsigned threads : {1U, 2U}) {
      for (via v : {via::memory, via::stream}) {
        ingest_options small = o;
        small.chunk_bytes = chunk;
        small.threads = threads;
        SCOPED_TRACE("chunk " + std::to_string(chunk) + ", threads " + std::to_string(threads));
        EXPECT_EQ(read(fmt::csv, padded, small, v).canon, ref.canon);
      }
    }
  }
}

TEST(IngestCsv, StrictStopsAtTheFirstRejectAfterDeliveringTheRowsBeforeIt) {
  ingest_options o = closed_channels();
  o.errors = on_error::strict;
  for (unsigned threads : {1U, 2U}) {
    o.threads = threads;
    o.chunk_bytes = threads == 1 ? std::size_t{1} << 20 : 5;
    std::vector<std::string> ids;
    std::vector<ingest_reject> rejects;
    ingest_sink sink;
    sink.on_batch = [&](const response_batch& b) {
      for (std::size_t i = 0; i < b.size(); ++i) ids.emplace_back(b.id(i));
    };
    sink.on_reject = [&](const ingest_reject& r) { rejects.push_back(r); };
    try {
      (void)stream_responses_csv_text(kRejects, "t.csv", o, sink);
      FAIL() << "no exception";
    } catch (const score_out_of_scale& e) {
      EXPECT_STREQ(e.what(),
                   "[cxm.score_out_of_scale.101] t.csv:3:5, field 'nps': score 11 is outside the NPS scale 0..10");
      EXPECT_EQ(e.where().line, 3U);
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"ok1"}));
    // The sink is handed the reject that stopped the read, and only that one.
    ASSERT_EQ(rejects.size(), 1U);
    EXPECT_EQ(rejects[0].line, 3U);
    EXPECT_EQ(rejects[0].value, "11");
  }
  // The typed error of each kind.
  EXPECT_THROW((void)stream_responses_csv_text("nps,weight\n5,-1\n", "t", o, {}), invalid_weight);
  EXPECT_THROW((void)stream_responses_csv_text("nps,resolved\n5,maybe\n", "t", o, {}), invalid_value);
  EXPECT_THROW((void)stream_responses_csv_text("nps,channel\n5,fax\n", "t", o, {}), unknown_channel);
  EXPECT_THROW((void)stream_responses_csv_text("nps,timestamp\n5,2024-02-30\n", "t", o, {}), malformed_timestamp);
  EXPECT_THROW((void)stream_responses_csv_text("nps\n5,6\n", "t", o, {}), parse_error);
}

TEST(IngestCsv, StrictStopsAtARecordTooLongWhateverTheSplit) {
  // Rows 2-3 fit; row 4 is longer than the limit, row 5 would fit. Whether the
  // long record ends inside a window or is streamed past, strict mode throws
  // at line 4 after the sink has received exactly rows 2 and 3.
  const std::string text =
      "id,nps\n"
      "a,1\n"
      "b,2\n"
      "c,3333333333333333333333333333333333333333\n"
      "d,4\n";
  ingest_options o;
  o.errors = on_error::strict;
  o.max_record_bytes = 20;
  for (unsigned threads : {1U, 2U, 3U}) {
    for (std::size_t chunk : {std::size_t{1}, std::size_t{4}, std::size_t{9}, std::size_t{1} << 20}) {
      o.threads = threads;
      o.chunk_bytes = chunk;
      SCOPED_TRACE("threads " + std::to_string(threads) + ", chunk " + std::to_string(chunk));
      std::vector<std::string> ids;
      std::vector<std::uint64_t> reject_lines;
      ingest_sink sink;
      sink.on_batch = [&](const response_batch& b) {
        for (std::size_t i = 0; i < b.size(); ++i) ids.emplace_back(b.id(i));
      };
      sink.on_reject = [&](const ingest_reject& r) { reject_lines.push_back(r.line); };
      try {
        (void)stream_responses_csv_text(text, "t.csv", o, sink);
        ADD_FAILURE() << "no exception";
      } catch (const parse_error& e) {
        EXPECT_EQ(e.where().line, 4U);
      }
      EXPECT_EQ(ids, (std::vector<std::string>{"a", "b"}));
      EXPECT_EQ(reject_lines, (std::vector<std::uint64_t>{4}));
    }
  }
}

TEST(IngestCsv, MissingRequiredColumnListsTheColumnsFound) {
  ingest_options o;
  o.required = {response_field::timestamp, response_field::channel};
  try {
    (void)stream_responses_csv_text("id,nps,Kanava\nr1,9,chat\n", "t.csv", o, {});
    FAIL() << "no exception";
  } catch (const parse_error& e) {
    EXPECT_STREQ(e.what(),
                 "[cxm.parse_error.301] t.csv:1, field 'timestamp': required column 'timestamp' (field 'timestamp', "
                 "or an alias such as 'date', 'datetime') is missing; columns found: 'id', 'nps', 'Kanava'");
  }
  ingest_options comma;
  comma.delimiter = ',';
  try {
    (void)stream_responses_csv_text("id;channel\nr1;chat\n", "t.csv", comma, {});
    FAIL() << "no exception";
  } catch (const parse_error& e) {
    // No other delimiter gives a score column either: no delimiter hint.
    EXPECT_EQ(e.reason(), "no score column: the header needs at least one of 'nps', 'csat', 'ces' (or an alias, e.g. "
                          "'ltr', 'satisfaction', 'effort'); columns found: 'id;channel'");
  }
}

TEST(IngestCsv, DecimalCommaWithSemicolonsAndTabs) {
  ingest_options o;
  o.delimiter = ';';
  o.decimal_point = ',';
  const std::string text = "id;nps;weight;why\nr1;9;0,87;\"a; b\"\nr2;8; 1,5 ;x\nr3;7;2;y\nr4;6;0.5;z\n";
  const outcome r = read(fmt::csv, text, o);
  ASSERT_EQ(r.rows.size(), 3U);
  EXPECT_EQ(r.rows[0].weight, 0.87);
  EXPECT_EQ(r.rows[0].why, "a; b");
  EXPECT_EQ(r.rows[1].weight, 1.5);
  EXPECT_EQ(r.rows[2].weight, 2.0);
  ASSERT_EQ(r.rejects.size(), 1U);  // "0.5" is not a number when the decimal point is ','
  EXPECT_EQ(r.rejects[0].line, 5U);
  EXPECT_EQ(r.rejects[0].cause, reject_cause::not_a_number);
  expect_same_everywhere(fmt::csv, text, o);

  ingest_options t;
  t.delimiter = '\t';
  const outcome tab = read(fmt::csv, "nps\tcsat\twhy\n9\t5\t\"a\tb\"\n10\t\t\n", t);
  ASSERT_EQ(tab.rows.size(), 2U);
  EXPECT_EQ(tab.rows[0].why, "a\tb");
  EXPECT_FALSE(tab.rows[1].csat.has_value());
}

TEST(IngestCsv, TimestampForms) {
  // Python datetime: 2024-03-05T14:07:09Z 1709647629, +02:00 1709640429,
  // 2024-03-05 1709596800, 2023-12-31T23:30:00-01:00 1704069000.
  const outcome r = read(fmt::csv,
                         "nps,timestamp\n1,2024-03-05T14:07:09Z\n2,2024-03-05T14:07:09+02:00\n3,2024-03-05\n"
                         "4,1709647629\n5,2023-12-31T23:30:00-01:00\n6,2024-03-05 14:07:09\n7,2024-02-29T23:59:60Z\n");
  ASSERT_EQ(r.rows.size(), 7U);
  const std::vector<std::int64_t> want{1709647629, 1709640429, 1709596800, 1709647629, 1704069000, 1709647629,
                                       1709251199};  // 23:59:60 counts as 23:59:59: 2024-02-29T23:59:59Z
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(r.rows[i].time->time_since_epoch().count(), want[i]) << i;
}

TEST(IngestCsv, ResolvedTokensOfAnyVocabularyInAnyCase) {
  // The default vocabulary, and one of 40 tokens per kind (too many for the
  // one-probe table of short tokens, so the other lookup runs): every token
  // in three casings, with blanks around, and texts one byte away from a
  // token, which are rejects. Expected values come from the lists.
  auto check = [](const resolved_vocabulary& v) {
    std::map<std::string, resolution> want;
    for (const auto& t : v.yes) want[t] = resolution::yes;
    for (const auto& t : v.no) want[t] = resolution::no;
    for (const auto& t : v.unknown) want[t] = resolution::unknown;
    std::string text = "nps,resolved\n";
    std::vector<std::pair<std::string, std::optional<resolution>>> rows;
    for (const auto& [tok, r] : want) {
      std::string upper = tok, mixed = tok;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      for (std::size_t i = 0; i < mixed.size(); i += 2) mixed[i] = upper[i];
      for (const auto& form : {tok, upper, " " + mixed + "\t"}) rows.emplace_back(form, r);
      for (const auto& near : {tok + "x", tok.substr(1) + "q", "x" + tok}) {
        if (want.count(near) == 0 && !near.empty()) rows.emplace_back(near, std::nullopt);
      }
    }
    for (const auto& [field, r] : rows) text += "5," + field + "\n";
    ingest_options o;
    o.resolved = v;
    const outcome out = read(fmt::csv, text, o);
    std::size_t accepted = 0, rejected = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::uint64_t line = i + 2;
      if (rows[i].second) {
        ASSERT_LT(accepted, out.rows.size());
        EXPECT_EQ(out.lines[accepted], line) << rows[i].first;
        EXPECT_EQ(out.rows[accepted].resolved, *rows[i].second) << rows[i].first;
        ++accepted;
      } else {
        ASSERT_LT(rejected, out.rejects.size());
        EXPECT_EQ(out.rejects[rejected].line, line) << rows[i].first;
        EXPECT_EQ(out.rejects[rejected].cause, reject_cause::invalid_flag) << rows[i].first;
        ++rejected;
      }
    }
    EXPECT_EQ(out.rows.size(), accepted);
    EXPECT_EQ(out.rejects.size(), rejected);
  };
  check(resolved_vocabulary{});
  resolved_vocabulary big;
  big.yes.clear();
  big.no.clear();
  big.unknown.clear();
  for (int i = 0; i < 40; ++i) {
    big.yes.push_back("y" + std::to_string(i * 7));
    big.no.push_back("nein" + std::to_string(i));
    big.unknown.push_back("unbekannt" + std::to_string(i));  // longer than 8 bytes
  }
  check(big);
}

TEST(IngestCsv, TimestampsAgreeWithTheGeneralParserAndTheCalendar) {
  // The reader reads "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM:SSZ" on a fast path
  // of its own. Over random dates and times, impossible ones included, every
  // row must come out as cxm::parse_timestamp reads its text alone, and the
  // possible ones as std::chrono's calendar counts them.
  std::mt19937_64 rng(20261206);
  auto pick = [&](int lo, int hi) { return static_cast<int>(lo + static_cast<int>(rng() % static_cast<unsigned>(hi - lo + 1))); };
  std::string text = "nps,timestamp\n";
  std::vector<std::string> stamps;
  for (int i = 0; i < 4000; ++i) {
    // Years around both ends of the accepted range 1900..2200 too.
    const int y = i % 5 == 0 ? pick(1850, 2250) : (i % 5 == 1 ? pick(1895, 1905) : (i % 5 == 2 ? pick(2195, 2205)
                                                                                                  : pick(1968, 2102)));
    const int mo = pick(0, 13), d = pick(0, 32), hh = pick(0, 25), mm = pick(0, 60), ss = pick(0, 61);
    char buf[40];
    if (i % 3 == 0) {
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, d);
    } else {
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, hh, mm, ss);
    }
    stamps.emplace_back(buf);
    text += "5," + stamps.back() + "\n";
  }
  const outcome r = read(fmt::csv, text);
  std::size_t accepted = 0, rejected = 0, checked_by_calendar = 0, out_of_range = 0;
  for (std::size_t i = 0; i < stamps.size(); ++i) {
    const std::string& st = stamps[i];
    std::optional<std::int64_t> want;
    const timestamp_parse p = try_parse_timestamp(st);
    if (p.state == timestamp_parse::status::ok) want = p.value.time_since_epoch().count();
    if (!want) {
      ASSERT_LT(rejected, r.rejects.size());
      EXPECT_EQ(r.rejects[rejected].line, i + 2) << st;
      EXPECT_EQ(r.rejects[rejected].cause, p.state == timestamp_parse::status::out_of_range
                                               ? reject_cause::timestamp_out_of_range
                                               : reject_cause::malformed_timestamp)
          << st;
      EXPECT_EQ(r.rejects[rejected].reason, p.reason) << st;
      if (p.state == timestamp_parse::status::out_of_range) ++out_of_range;
      ++rejected;
      continue;
    }
    ASSERT_LT(accepted, r.rows.size());
    ASSERT_TRUE(r.rows[accepted].time.has_value()) << st;
    EXPECT_EQ(r.rows[accepted].time->time_since_epoch().count(), *want) << st;
    int y = 0, mo = 0, d = 0, hh = 0, mm = 0, ss = 0;
    std::sscanf(st.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &hh, &mm, &ss);
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    if (ymd.ok() && hh < 24 && mm < 60 && ss < 60) {
      const auto t = std::chrono::sys_days{ymd} + std::chrono::hours{hh} + std::chrono::minutes{mm} +
                     std::chrono::seconds{ss};
      EXPECT_EQ(r.rows[accepted].time->time_since_epoch().count(), t.time_since_epoch().count()) << st;
      ++checked_by_calendar;
    }
    EXPECT_TRUE(y >= 1900 && y <= 2200) << st;  // the fast path applies the range too
    ++accepted;
  }
  EXPECT_EQ(r.rows.size(), accepted);
  EXPECT_EQ(r.rejects.size(), rejected);
  EXPECT_GT(checked_by_calendar, 1000U);
  EXPECT_GT(rejected, 1000U);
  EXPECT_GT(out_of_range, 200U);
}

// ---------------------------------------------------------------------------
// Field values: the same rules in CSV and JSON Lines

// Every accepted row as "id:nps,csat,time,weight" and every reject as
// "id:field:cause" (the id from the input line the reject names), so that a
// CSV and a JSON Lines file of the same rows can be compared.
std::vector<std::string> by_id(const outcome& r, const std::vector<std::string>& ids, std::uint64_t first_line) {
  std::vector<std::string> out;
  for (const auto& row : r.rows) {
    char w[40];
    std::snprintf(w, sizeof w, "%a", row.weight);
    out.push_back(row.id + ":" + (row.nps ? std::to_string(*row.nps) : "-") + "," +
                  (row.csat ? std::to_string(*row.csat) : "-") + "," +
                  (row.time ? std::to_string(row.time->time_since_epoch().count()) : "-") + "," + w);
  }
  for (const auto& x : r.rejects) {
    out.push_back(ids.at(x.line - first_line) + ":" + x.field + ":" + std::string(to_string(x.cause)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(IngestValues, WholeScoresWrittenWithDecimalsAreTheIntegerPoint) {
  // pandas writes a float column of whole values as "9.0", spreadsheets
  // "10.00": the integer point. Fractions, commas and exponents in text are
  // not scores. The same rows as CSV text, as JSON strings and (where JSON
  // allows) as JSON numbers.
  struct row {
    const char* id;
    const char* csv;   // the CSV field as written
    const char* json;  // the JSON value as written
    int want;          // the score, or -1 for a reject
    reject_cause cause = reject_cause::not_an_integer;
  };
  const std::vector<row> rows{
      {"a", "9.0", "9.0", 9},           {"b", "10.00", "\"10.00\"", 10},     {"c", "+9.0", "\"+9.0\"", 9},
      {"d", " 7.000 ", "\" 7.000 \"", 7}, {"e", "-0.0", "-0.0", 0},         {"f", "9", "9e0", 9},
      {"g", "9.00", "0.9e1", 9},        {"h", "8", "\"8\"", 8},               {"i", "9.5", "9.5", -1},
      {"j", "\"7,5\"", "\"7,5\"", -1},  {"k", "1e1", "\"1e1\"", -1},        {"l", "9.", "\"9.\"", -1},
      {"m", ".0", "\".0\"", -1},        {"n", "\"9,0\"", "\"9,0\"", -1},    {"o", "9.01", "9.01", -1},
      {"p", "11.0", "11.0", -1, reject_cause::score_out_of_scale},
      {"q", "abc", "\"abc\"", -1, reject_cause::not_a_number},
      {"r", "99999999999999999999.0", "1e400", -1, reject_cause::score_out_of_scale},
  };
  std::string csv = "id,nps\n", jsonl;
  std::vector<std::string> ids, want;
  for (const auto& r : rows) {
    csv += std::string(r.id) + "," + r.csv + "\n";
    jsonl += std::string("{\"id\":\"") + r.id + "\",\"nps\":" + r.json + "}\n";
    ids.emplace_back(r.id);
    want.push_back(r.want >= 0 ? std::string(r.id) + ":" + std::to_string(r.want) + ",-,-,0x1p+0"
                               : std::string(r.id) + ":nps:" + std::string(to_string(r.cause)));
  }
  std::sort(want.begin(), want.end());
  const outcome c = read(fmt::csv, csv);
  const outcome j = read(fmt::jsonl, jsonl);
  EXPECT_EQ(by_id(c, ids, 2), want);
  EXPECT_EQ(by_id(j, ids, 1), want);
  // The reject names the field and the value.
  ASSERT_FALSE(c.rejects.empty());
  EXPECT_EQ(c.rejects[0].field, "nps");
  EXPECT_EQ(c.rejects[0].value, "9.5");
  EXPECT_EQ(c.rejects[0].reason, "nps score '9.5' is not a whole point of the NPS scale 0..10 (scores are integers, "
                                 "or written with a decimal point and zeros: 9, 9.0)");
  EXPECT_EQ(j.rejects[0].reason, "nps score 9.5 is not a whole point of the NPS scale 0..10");
  expect_same_everywhere(fmt::csv, csv, {});
  expect_same_everywhere(fmt::jsonl, jsonl, {});

  // A decimal comma (for weights) does not make "9,0" a score; "9.0" still is.
  ingest_options o;
  o.delimiter = ';';
  o.decimal_point = ',';
  const outcome eu = read(fmt::csv, "nps;weight\n9,0;1\n9.0;0,5\n", o);
  ASSERT_EQ(eu.rows.size(), 1U);
  EXPECT_EQ(eu.rows[0].nps, 9);
  EXPECT_EQ(eu.rows[0].weight, 0.5);
  ASSERT_EQ(eu.rejects.size(), 1U);
  EXPECT_EQ(eu.rejects[0].cause, reject_cause::not_an_integer);
  EXPECT_EQ(eu.rejects[0].value, "9,0");
}

TEST(IngestValues, TimestampsAsIsoTextAndUnixEpochsInRange) {
  using namespace std::chrono;
  // Expected times: std::chrono's calendar for the ISO forms; arithmetic for
  // the epochs (shown next to them).
  const auto day = [](year_month_day d) { return sys_days{d}.time_since_epoch().count() * 86400LL; };
  const std::int64_t t0 = day(2024y / March / 5) + 14 * 3600 + 7 * 60 + 9;  // 2024-03-05T14:07:09Z
  EXPECT_EQ(t0, 1709647629);  // date -u -d @1709647629
  struct row {
    const char* id;
    const char* text;
    std::optional<std::int64_t> want;  // nullopt: timestamp_out_of_range
  };
  const std::vector<row> rows{
      {"a", "1709647629123", t0},        // ms: 1709647629123 / 1000 = 1709647629 (rest 123 ms)
      {"b", "1709647629", t0},           // s
      {"c", "1709647629.75", t0},        // s, the fraction keeps its second
      {"d", "-86400.5", -86401},         // floor(-86400.5) = -86401: 1969-12-30T23:59:59Z
      {"e", "100000000000", 100000000},  // 10^11 ms = 10^8 s: the first magnitude read as ms
      {"f", "1700000000000", 1700000000},  // ms: 1.7e12 / 1000
      {"g", "2024-03-05 14:07", t0 - 9},
      {"h", "2024-03-05T16:07:09.5+02", t0},
      {"i", "2024-03-05T14:07:09Z", t0},
      {"j", "1900-01-01", day(1900y / January / 1)},
      {"k", "2200-12-31T23:59:59Z", day(2200y / December / 31) + 86399},
      {"l", "1800-01-01", std::nullopt},
      {"m", "2300-01-01T00:00:00Z", std::nullopt},
      {"n", "1899-12-31T23:59:59Z", std::nullopt},
      {"o", "2201-01-01", std::nullopt},
      {"p", "1900-01-01T00:30:00+01:00", std::nullopt},  // 1899-12-31T23:30:00Z
      {"q", "99999999999", std::nullopt},                // < 10^11: seconds, the year 5138
      {"r", "7289654400000", std::nullopt},              // ms: 7289654400 s = 2201-01-01T00:00:00Z
  };
  std::string csv = "id,nps,timestamp\n", jsonl;
  std::vector<std::string> ids, want;
  for (const auto& r : rows) {
    csv += std::string(r.id) + ",9," + r.text + "\n";
    // A JSON number where the text is one, else a string.
    std::string_view digits(r.text);
    if (digits.front() == '-') digits.remove_prefix(1);
    const bool number = digits.find_first_not_of("0123456789.") == std::string_view::npos;
    jsonl += std::string("{\"id\":\"") + r.id + "\",\"nps\":9,\"timestamp\":" + (number ? "" : "\"") + r.text +
             (number ? "" : "\"") + "}\n";
    ids.emplace_back(r.id);
    want.push_back(r.want ? std::string(r.id) + ":9,-," + std::to_string(*r.want) + ",0x1p+0"
                          : std::string(r.id) + ":timestamp:timestamp_out_of_range");
  }
  std::sort(want.begin(), want.end());
  const outcome c = read(fmt::csv, csv);
  const outcome j = read(fmt::jsonl, jsonl);
  EXPECT_EQ(by_id(c, ids, 2), want);
  EXPECT_EQ(by_id(j, ids, 1), want);
  // The reason gives the value and the range; the error id is 104.
  const auto l = std::find_if(c.rejects.begin(), c.rejects.end(), [](const auto& x) { return x.value == "1800-01-01"; });
  ASSERT_NE(l, c.rejects.end());
  EXPECT_EQ(l->reason,
            "timestamp '1800-01-01' is outside the accepted range 1900-01-01T00:00:00Z .. 2200-12-31T23:59:59Z");
  EXPECT_EQ(l->error_id, malformed_timestamp::code);
  EXPECT_EQ(c.report.summary.rejected_by_cause.at("timestamp_out_of_range"), 7U);
  EXPECT_EQ(c.report.summary.rejected_by_reason.at("malformed_timestamp"), 7U);
  expect_same_everywhere(fmt::csv, csv, {});

  // A unit forced by the options.
  ingest_options ms;
  ms.epoch_unit = epoch_unit::milliseconds;
  const outcome m = read(fmt::csv, "nps,timestamp\n9,1709647629\n9,1709647629123\n", ms);
  ASSERT_EQ(m.rows.size(), 2U);
  EXPECT_EQ(m.rows[0].time->time_since_epoch().count(), 1709647);  // 1709647629 ms = 1709647.629 s
  EXPECT_EQ(m.rows[1].time->time_since_epoch().count(), t0);
  ingest_options sec;
  sec.epoch_unit = epoch_unit::seconds;
  const outcome s = read(fmt::csv, "nps,timestamp\n9,1709647629\n9,1709647629123\n", sec);
  ASSERT_EQ(s.rows.size(), 1U);
  EXPECT_EQ(s.rows[0].time->time_since_epoch().count(), t0);
  ASSERT_EQ(s.rejects.size(), 1U);
  EXPECT_EQ(s.rejects[0].cause, reject_cause::timestamp_out_of_range);
}

TEST(IngestValues, WeightsOutsideTheRangeAreRejectedWithTheRange) {
  // A weight is 0 or in [1e-100, 1e100] (counts.hpp): the edges in CSV text,
  // JSON numbers and JSON strings.
  struct row {
    const char* id;
    const char* text;
    double want;  // NaN: invalid_weight
  };
  const double bad = std::nan("");
  const std::vector<row> rows{
      {"a", "1e100", 1e100},        {"b", "1.0000001e100", bad}, {"c", "1e-100", 1e-100}, {"d", "9.99e-101", bad},
      {"e", "0", 0.0},              {"f", "-0", 0.0},            {"g", "4e-320", bad},    {"h", "1e-400", bad},
      {"i", "1e155", bad},          {"j", "1e-200", bad},        {"k", "-1e-300", bad},   {"l", "2.5", 2.5},
      {"m", "1e400", bad},
  };
  std::string csv = "id,nps,weight\n", jsonl, jsonl_strings;
  std::vector<std::string> ids, want;
  for (const auto& r : rows) {
    csv += std::string(r.id) + ",9," + r.text + "\n";
    jsonl += std::string("{\"id\":\"") + r.id + "\",\"nps\":9,\"weight\":" + r.text + "}\n";
    jsonl_strings += std::string("{\"id\":\"") + r.id + "\",\"nps\":9,\"weight\":\"" + r.text + "\"}\n";
    ids.emplace_back(r.id);
    char w[40];
    std::snprintf(w, sizeof w, "%a", r.want);
    want.push_back(std::isnan(r.want) ? std::string(r.id) + ":weight:invalid_weight"
                                      : std::string(r.id) + ":9,-,-," + w);
  }
  std::sort(want.begin(), want.end());
  const outcome c = read(fmt::csv, csv);
  EXPECT_EQ(by_id(c, ids, 2), want);
  EXPECT_EQ(by_id(read(fmt::jsonl, jsonl), ids, 1), want);
  EXPECT_EQ(by_id(read(fmt::jsonl, jsonl_strings), ids, 1), want);
  for (const auto& r : c.rows) {
    if (r.id == "f") {
      EXPECT_FALSE(std::signbit(r.weight));  // -0 is stored as 0
    }
  }
  ASSERT_FALSE(c.rejects.empty());
  EXPECT_EQ(c.rejects[0].value, "1.0000001e100");
  EXPECT_EQ(c.rejects[0].reason, "weight 1.0000001e+100 is outside the range of weights: 0, or 1e-100 to 1e100");
  EXPECT_EQ(c.rejects[0].error_id, invalid_weight::code);
  // The accepted rows (weights 1e100, 1e-100, 0, 0, 2.5; every score 9)
  // give finite weighted counts: Σw = 1e100 + 2.5 + 1e-100 = 1e100 and
  // Σw² = 1e200 + 6.25 + 1e-200 = 1e200 in double; Kish's n = 1.
  score_counts counts(scale::nps());
  for (const auto& r : c.rows) counts.add(*r.nps, r.weight);
  EXPECT_EQ(counts.count(), 5U);
  EXPECT_EQ(counts.high().w, 1e100);
  EXPECT_EQ(counts.high().w2, 1e200);
  EXPECT_DOUBLE_EQ(counts.effective_n(), 1.0);
}

TEST(IngestValues, TextThatIsNotUtf8IsRejectedWithItsByteOffset) {
  // Latin-1 "ä" (0xE4) where UTF-8 is expected: rejected, not repaired.
  const outcome c = read(fmt::csv, "id,nps,why,agent\nr1,9,ok \xE4 x,ann\nr2,9,fine,b\xC3\n");
  ASSERT_EQ(c.rejects.size(), 2U);
  EXPECT_EQ(c.rejects[0].field, "why");
  EXPECT_EQ(c.rejects[0].cause, reject_cause::invalid_utf8);
  EXPECT_EQ(c.rejects[0].reason, "why is not valid UTF-8 (byte 0xE4 at offset 3 of the field)");
  EXPECT_EQ(c.rejects[0].value, "ok \\xE4 x");
  EXPECT_EQ(c.rejects[1].field, "agent");
  EXPECT_EQ(c.rejects[1].reason, "agent is not valid UTF-8 (byte 0xC3 at offset 1 of the field)");  // cut short
  EXPECT_EQ(c.rejects[1].value, "b\\xC3");
  const outcome j = read(fmt::jsonl, "{\"id\":\"r1\",\"nps\":9,\"why\":\"ok \xE4 x\"}\n");
  ASSERT_EQ(j.rejects.size(), 1U);
  EXPECT_EQ(j.rejects[0].field, "why");
  EXPECT_EQ(j.rejects[0].cause, reject_cause::invalid_utf8);
  EXPECT_EQ(j.rejects[0].reason,
            "the line is not one JSON object: the why string is not valid UTF-8 (byte 0xE4 at offset 3 of the string)");
  EXPECT_EQ(j.rejects[0].value, "{\"id\":\"r1\",\"nps\":9,\"why\":\"ok \\xE4 x\"}");
}

// ---------------------------------------------------------------------------
// Quotes that never close

TEST(IngestCsv, AQuoteThatNeverClosesRejectsItsOwnRecordOnly) {
  // Line 3's quote never closes. Read as RFC 4180 alone, it would swallow
  // lines 4-5 up to the quote of line 5; instead line 3 is one reject, and
  // lines 4-6 are read again as records.
  const std::string text =
      "id,nps,why\n"           // 1
      "r1,9,fine\n"            // 2
      "r2,8,\"oops\n"          // 3: the quote (byte 6) never closes
      "r3,7,plain\n"           // 4
      "r4,10,\"quoted\"\n"     // 5
      "r5,6,x\n";              // 6
  const outcome r = read(fmt::csv, text);
  ASSERT_EQ(r.rejects.size(), 1U);
  EXPECT_EQ(r.rejects[0].line, 3U);
  EXPECT_EQ(r.rejects[0].column, 3U);
  EXPECT_EQ(r.rejects[0].field, "why");
  EXPECT_EQ(r.rejects[0].cause, reject_cause::malformed_csv);
  EXPECT_EQ(r.rejects[0].value, "r2,8,\"oops");
  EXPECT_EQ(r.rejects[0].reason, "the quote opened at line 3, column 6 (field 3) never closes: the quote at line 5 "
                                 "that would close it is followed by text; reading goes on at line 4");
  ASSERT_EQ(r.rows.size(), 4U);
  EXPECT_EQ(r.lines, (std::vector<std::uint64_t>{2, 4, 5, 6}));
  EXPECT_EQ(r.rows[2].why, "quoted");
  EXPECT_EQ(r.report.summary.rows_read, 5U);
  expect_same_everywhere(fmt::csv, text, {});

  // At the start, with the input ending inside the quote: line 2 is one
  // reject and every later line a row.
  const std::string start = "id,nps,why\nr1,9,\"never\nr2,8,a\nr3,7,b\n";
  const outcome s = read(fmt::csv, start);
  ASSERT_EQ(s.rejects.size(), 1U);
  EXPECT_EQ(s.rejects[0].line, 2U);
  EXPECT_EQ(s.rejects[0].reason, "the quote opened at line 2, column 6 (field 3) never closes: the input ends inside "
                                 "it; reading goes on at line 3");
  EXPECT_EQ(s.lines, (std::vector<std::uint64_t>{3, 4}));
  expect_same_everywhere(fmt::csv, start, {});

  // At the end, with no line after it.
  const std::string end = "id,nps,why\nr1,9,a\nr2,8,\"never";
  const outcome e = read(fmt::csv, end);
  ASSERT_EQ(e.rejects.size(), 1U);
  EXPECT_EQ(e.rejects[0].line, 3U);
  EXPECT_EQ(e.rejects[0].reason, "the quote opened at line 3, column 6 (field 3) never closes: the input ends inside it");
  EXPECT_EQ(e.lines, (std::vector<std::uint64_t>{2}));
  expect_same_everywhere(fmt::csv, end, {});

  // The record the quote makes has another number of fields: line 2 (four
  // fields over lines 2-4) is a reject; line 3 is a row; line 4 opens a
  // quote the input ends inside; line 5 is a row.
  const std::string count =
      "id,why,nps\n"   // 1
      "a,\"x\n"        // 2
      "b,y,8\n"        // 3
      "\",9,extra\n"   // 4
      "c,z,7\n";       // 5
  const outcome n = read(fmt::csv, count);
  ASSERT_EQ(n.rejects.size(), 2U);
  EXPECT_EQ(n.rejects[0].line, 2U);
  EXPECT_EQ(n.rejects[0].reason, "the quote opened at line 2, column 3 (field 2) never closes: the record it makes "
                                 "ends at line 4 with 4 fields; the header has 3; reading goes on at line 3");
  EXPECT_EQ(n.rejects[1].line, 4U);
  EXPECT_EQ(n.rejects[1].column, 1U);
  EXPECT_EQ(n.rejects[1].field, "id");
  EXPECT_EQ(n.lines, (std::vector<std::uint64_t>{3, 5}));
  expect_same_everywhere(fmt::csv, count, {});

  // Quoted line breaks in well-formed records are data, as before.
  const outcome ok = read(fmt::csv, "id,nps,why\na,9,\"two\nlines\"\nb,8,\"x,\"\"y\"\"\nz\"\n");
  EXPECT_TRUE(ok.rejects.empty());
  ASSERT_EQ(ok.rows.size(), 2U);
  EXPECT_EQ(ok.rows[1].why, "x,\"y\"\nz");

  // A header whose quote never closes is an error naming it.
  try {
    (void)read(fmt::csv, "id,\"nps\nr1,9\n");
    FAIL() << "no exception";
  } catch (const parse_error& e) {
    EXPECT_EQ(e.reason(), "header row: the quote opened at line 1, column 4 (field 2) never closes: the input ends "
                          "inside it; reading goes on at line 2");
  }
}

TEST(IngestCsv, QuotesThatNeverCloseGiveTheSameRowsOnEveryPath) {
  // 240 KB: quotes that never close on the first data line, in the middle
  // (each swallowing up to the next quoted comment, 7 lines on) and on the
  // last line; a quoted comment of 300 KB over 3000 lines that does close
  // (one record, as before); quoted line breaks. Rows, rejects and counts
  // must be those of one thread reading memory, for 2 and 3 threads, chunks
  // of 4 KiB and 64 KiB, from memory, a file and a stream.
  std::string text = "id,nps,why\n";
  std::string long_why;
  for (int k = 0; k < 3000; ++k) long_why += std::string(99, static_cast<char>('a' + k % 26)) + '\n';
  std::uint64_t line = 1;
  std::vector<std::uint64_t> want_reject_lines, want_row_lines;
  std::size_t want_rows = 0;
  for (int i = 0; i < 4000; ++i) {
    ++line;
    const std::string id = "q" + std::to_string(i);
    if (i == 0 || i == 1500 || i == 2500 || i == 3999) {
      text += id + ",5,\"this comment never ends\n";  // the next quoted field is 1-7 lines on
      want_reject_lines.push_back(line);
      continue;
    }
    want_row_lines.push_back(line);
    ++want_rows;
    if (i == 2000) {
      text += id + ",6,\"" + long_why + "\"\n";
      line += 3000;
    } else if (i % 7 == 0) {
      text += id + "," + std::to_string(i % 11) + ",\"two\nlines\"\n";
      ++line;
    } else {
      text += id + "," + std::to_string(i % 11) + ",plain\n";
    }
  }
  const outcome ref = read(fmt::csv, text);
  // Each quote that never closes runs into the next quoted comment ("two"),
  // whose opening quote is followed by text: its line is the only reject,
  // and every other line is read again as rows.
  std::vector<std::uint64_t> reject_lines;
  for (const auto& x : ref.rejects) reject_lines.push_back(x.line);
  EXPECT_EQ(reject_lines, want_reject_lines);
  EXPECT_EQ(ref.rows.size(), want_rows);
  EXPECT_EQ(ref.lines, want_row_lines);
  EXPECT_EQ(ref.report.summary.rows_read, 4000U);
  std::size_t long_rows = 0;
  for (const auto& r : ref.rows) long_rows += r.why == long_why ? 1 : 0;
  EXPECT_EQ(long_rows, 1U);
  for (unsigned threads : {2U, 3U}) {
    for (std::size_t chunk : {std::size_t{4096}, std::size_t{64} << 10}) {
      for (via v : {via::memory, via::file, via::stream}) {
        ingest_options o;
        o.threads = threads;
        o.chunk_bytes = chunk;
        SCOPED_TRACE("threads " + std::to_string(threads) + ", chunk " + std::to_string(chunk) + ", via " +
                     std::to_string(static_cast<int>(v)));
        EXPECT_EQ(read(fmt::csv, text, o, v).canon, ref.canon);
      }
    }
  }
}

TEST(IngestCsv, ChannelsLearnedInOrderOfFirstAcceptedUse) {
  // An open set learns kiosk (row 2) but not fax (row 3 is rejected); with
  // any split, ids follow the order of first accepted use.
  const std::string text = "channel,nps\nkiosk,9\nfax,11\nsms,8\nKiosk,7\n,6\nphone,5\n";
  const outcome r = read(fmt::csv, text);
  ASSERT_EQ(r.rows.size(), 5U);
  EXPECT_EQ(r.rows[0].channel.value, 6U);  // after the 6 built-in channels
  EXPECT_EQ(r.rows[1].channel.value, 7U);  // sms
  EXPECT_EQ(r.rows[2].channel.value, 6U);  // Kiosk == kiosk
  EXPECT_EQ(r.rows[3].channel, channels::other);
  EXPECT_EQ(r.rows[4].channel, channels::phone);
  EXPECT_EQ(r.channel_names,
            (std::vector<std::string>{"phone", "chat", "email", "face_to_face", "web", "other", "kiosk", "sms"}));
  EXPECT_EQ(r.report.summary.missing_by_field.at("channel"), 1U);
  expect_same_everywhere(fmt::csv, text, {});
}

TEST(IngestCsv, RandomInputsAgreeAcrossSplits) {
  // Seeded random text over an alphabet rich in structure (quotes, both
  // delimiters, CR, LF, digits, a non-ASCII byte): 40 inputs of 300 bytes.
  std::uint64_t state = 20240305;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<unsigned>(state >> 33);
  };
  const char alphabet[] = {'"', ',', ';', '\r', '\n', '9', '1', '0', 'a', ' ', '.', '\xC3', '\xA4', '-', 'x', '"'};
  for (int k = 0; k < 40; ++k) {
    std::string text = "id,nps,why,weight\n";
    for (int i = 0; i < 300; ++i) text += alphabet[next() % sizeof alphabet];
    ingest_options o;
    o.max_record_bytes = k % 3 == 0 ? 20 : std::size_t{1} << 20;
    SCOPED_TRACE("input " + std::to_string(k));
    expect_same_everywhere(fmt::csv, text, o);
  }
}

TEST(IngestCsv, StreamsSplitAcrossThreadsLikeFiles) {
  // A stream cannot be read at offsets, so several threads take it in
  // windows of pieces with barriers. 120 KB (more than the first 64 KiB read,
  // so the windows really split it): quoted commas and line breaks, a stray
  // quote that flips the parity of every later piece, rejects. Rows, rejects
  // and summary must be those of one thread reading the text in memory.
  std::string text = "id,nps,why\n";
  for (int i = 0; i < 4000; ++i) {
    const std::string id = "s" + std::to_string(i);
    if (i == 1500) {
      text += id + ",5,5\" screen\n";
    } else if (i % 97 == 0) {
      text += id + ",11,out of scale\n";
    } else if (i % 5 == 0) {
      text += id + "," + std::to_string(i % 11) + ",\"two\nlines, and a comma\"\n";
    } else {
      text += id + "," + std::to_string(i % 11) + ",plain\n";
    }
  }
  ASSERT_GT(text.size(), std::size_t{64} << 10);
  const outcome ref = read(fmt::csv, text);
  EXPECT_EQ(ref.rows.size() + ref.rejects.size(), 4000U);
  EXPECT_EQ(ref.rejects.size(), 42U);  // i % 97 == 0 for i in [0, 4000)
  for (unsigned threads : {2U, 3U}) {
    for (std::size_t chunk : {std::size_t{64}, std::size_t{4096}}) {
      ingest_options o;
      o.threads = threads;
      o.chunk_bytes = chunk;
      SCOPED_TRACE("threads " + std::to_string(threads) + ", chunk " + std::to_string(chunk));
      EXPECT_EQ(read(fmt::csv, text, o, via::stream).canon, ref.canon);
    }
  }
}

// ---------------------------------------------------------------------------
// Mapping file

TEST(IngestMapping, JsonMappingRenamesColumnsAndSetsVocabularyChannelsAndDelimiter) {
  const std::string mapping = R"({
    "delimiter": ";",
    "decimal_point": ",",
    "columns": {"timestamp": "Aika", "channel": "Kanava", "nps": "Suositus", "csat": "Tyytyväisyys",
                "resolved": "Ratkaistu", "weight": "Paino"},
    "required": ["timestamp"],
    "resolved": {"yes": ["kyllä", "k"], "no": ["ei", "e"]},
    "channels": ["puhelin", "chat", "sähköposti"]
  })";
  const auto path = temp_file("mapping.json", mapping);
  const ingest_options o = load_mapping(path);
  EXPECT_EQ(o.delimiter, ';');
  EXPECT_EQ(o.decimal_point, ',');
  EXPECT_EQ(o.columns.nps, "Suositus");
  EXPECT_EQ(o.columns.id, "id");  // not named: unchanged
  const std::string text =
      "Aika;Kanava;Suositus;Tyytyväisyys;Ratkaistu;Paino\n"
      "2024-03-05;puhelin;9;4;Kyllä;0,87\n"
      "2024-03-05;Sähköposti;3;;ei;1\n"
      "2024-03-05;chat;8;5;K;2,5\n"
      "2024-03-05;faksi;8;5;k;1\n"
      "2024-03-05;chat;8;5;yes;1\n";
  const outcome r = read(fmt::csv, text, o);
  ASSERT_EQ(r.rows.size(), 3U);
  EXPECT_EQ(r.rows[0].channel.value, 0U);
  EXPECT_EQ(r.rows[0].resolved, resolution::yes);
  EXPECT_EQ(r.rows[0].weight, 0.87);
  EXPECT_EQ(r.rows[1].channel.value, 2U);  // "Sähköposti" matches "sähköposti"
  EXPECT_EQ(r.rows[1].resolved, resolution::no);
  EXPECT_FALSE(r.rows[1].csat.has_value());
  EXPECT_EQ(r.rows[2].resolved, resolution::yes);
  EXPECT_EQ(r.rows[2].weight, 2.5);
  ASSERT_EQ(r.rejects.size(), 2U);
  EXPECT_EQ(r.rejects[0].cause, reject_cause::unknown_channel);
  EXPECT_EQ(r.rejects[0].line, 5U);
  EXPECT_EQ(r.rejects[1].cause, reject_cause::invalid_flag);  // "yes" is not in the Finnish vocabulary
  EXPECT_EQ(r.rejects[1].line, 6U);
  EXPECT_THROW((void)read(fmt::csv, "Kanava;Suositus\npuhelin;9\n", o), parse_error);  // Aika is required

  // Mistakes in a mapping name the key.
  try {
    (void)mapping_from_json(R"({"colums": {}})");
    FAIL() << "no exception";
  } catch (const invalid_argument& e) {
    EXPECT_EQ(e.where().field, "mapping.colums");
  }
  try {
    (void)mapping_from_json(R"({"columns": {"score": "x"}})");
    FAIL() << "no exception";
  } catch (const invalid_argument& e) {
    EXPECT_EQ(e.where().field, "mapping.columns.score");
  }
  EXPECT_THROW((void)mapping_from_json(R"({"delimiter": ";;"})"), invalid_argument);
  EXPECT_THROW((void)mapping_from_json(R"({"resolved": {"yes": ["x"], "no": ["x"]}})"), invalid_argument);
  EXPECT_THROW((void)mapping_from_json("{"), parse_error);
  EXPECT_EQ(mapping_from_json(R"({"delimiter": "tab", "strict": true, "format": "jsonl"})").delimiter, '\t');
}

// The error a mapping setting gives: its field and reason.
std::pair<std::string, std::string> mapping_error(const std::string& json) {
  try {
    (void)mapping_from_json(json);
  } catch (const invalid_argument& e) {
    return {e.where().field, e.reason()};
  }
  return {};
}

TEST(IngestMapping, ScaleAndChannelSettingsAreCheckedAndNameTheirKey) {
  // CSAT 1–5 with a top box of 1 point: satisfied is 5 only, the low group 1.
  const ingest_options c = mapping_from_json(R"({"csat_top_box": 1, "ces_easy_min": 6})");
  EXPECT_EQ(c.scales.csat.high_min(), 5);
  EXPECT_EQ(c.scales.csat.low_max(), 1);
  EXPECT_EQ(c.scales.ces.high_min(), 6);  // CES 1–7, easy from 6 on
  EXPECT_EQ(mapping_error(R"({"csat_top_box": "2"})"),
            std::make_pair(std::string("mapping.csat_top_box"), std::string("must be an integer 1..4")));
  EXPECT_EQ(mapping_error(R"({"csat_top_box": 5})"),
            std::make_pair(std::string("mapping.csat_top_box"), std::string("CSAT top-box width must be 1..4, got 5")));
  EXPECT_EQ(mapping_error(R"({"ces_easy_min": 1.5})"),
            std::make_pair(std::string("mapping.ces_easy_min"), std::string("must be an integer 2..7")));
  EXPECT_EQ(mapping_error(R"({"ces_easy_min": 8})"),
            std::make_pair(std::string("mapping.ces_easy_min"), std::string("CES 'easy' threshold must be 2..7, got 8")));
  EXPECT_EQ(mapping_error(R"({"channels": ["phone", "phone"]})"),
            std::make_pair(std::string("mapping.channels"), std::string("channel label 'phone' is listed twice")));
  EXPECT_EQ(mapping_error(R"({"channels": "phone"})"),
            std::make_pair(std::string("mapping.channels"), std::string("must be an array of strings")));
  EXPECT_EQ(mapping_from_json(R"({"channels": ["phone", "kiosk"]})").channels.mode(), channel_set::policy::closed);
}

// ---------------------------------------------------------------------------
// JSON Lines

TEST(IngestJsonl, ValuesAndRejectsWithByteColumns) {
  const std::vector<std::string> lines{
      R"({"id":"j1","nps":9,"csat":4,"resolved":true,"weight":0.5,"timestamp":1709647629})",  // 1 ok
      R"({"id":"j2","nps":9.5})",                                                            // 2
      R"({"id":"j3","nps":})",                                                               // 3
      R"([1,2])",                                                                            // 4
      R"({"id":"j5","nps":9} x)",                                                            // 5
      R"({"id":"j6","nps":{"a":[1]}})",                                                      // 6
      R"({"id":"j7","why":"\ud800"})",                                                       // 7
      "{\"id\":\"j8\",\"agent\":\"\xFF\"}",                                                  // 8
      "   ",                                                                                 // 9 blank
      R"({"id":"j10","nps":"7","channel":null,"csat":null,"why":"a\nb \u00e4\ud83d\ude00"})",  // 10 ok
      R"({"id":"j11","nps":9,"NPS":8})",                                                     // 11
      R"({"id":"j12","nps":10.0,"resolved":"n","weight":"1,5"})",                           // 12
      R"({"id":"j13","nps":1e1,"ces":7,"resolved":false,"timestamp":"2024-03-05"})",        // 13 ok
  };
  std::string text;
  for (const auto& l : lines) text += l + "\r\n";
  const outcome r = read(fmt::jsonl, text);
  EXPECT_EQ(r.report.header, (std::vector<std::string>{"id", "nps", "csat", "resolved", "weight", "timestamp"}));
  ASSERT_EQ(r.rows.size(), 3U);
  EXPECT_EQ(r.rows[0].id, "j1");
  EXPECT_EQ(r.rows[0].nps, 9);
  EXPECT_EQ(r.rows[0].csat, 4);
  EXPECT_EQ(r.rows[0].resolved, resolution::yes);
  EXPECT_EQ(r.rows[0].weight, 0.5);
  EXPECT_EQ(r.rows[0].time->time_since_epoch().count(), 1709647629);
  EXPECT_EQ(r.rows[1].id, "j10");
  EXPECT_EQ(r.rows[1].nps, 7);
  EXPECT_EQ(r.rows[1].channel, channels::other);
  EXPECT_FALSE(r.rows[1].csat.has_value());
  EXPECT_EQ(r.rows[1].why, "a\nb \xC3\xA4\xF0\x9F\x98\x80");  // U+00E4, U+1F600 in UTF-8
  EXPECT_EQ(r.rows[2].nps, 10);                              // 1e1 is the whole number 10
  EXPECT_EQ(r.rows[2].ces, 7);
  EXPECT_EQ(r.rows[2].resolved, resolution::no);
  EXPECT_EQ(r.rows[2].time->time_since_epoch().count(), 1709596800);  // datetime 2024-03-05T00:00:00+00:00
  EXPECT_EQ(r.lines, (std::vector<std::uint64_t>{1, 10, 13}));
  EXPECT_EQ(r.report.summary.empty_lines, 1U);

  auto col = [&](std::size_t line, std::string_view what) {
    return static_cast<std::uint64_t>(lines[line - 1].find(what) + 1);
  };
  struct want {
    std::uint64_t line, column;
    const char* field;
    reject_cause cause;
  };
  const std::vector<want> w{
      {2, col(2, "9.5"), "nps", reject_cause::not_an_integer},
      {3, col(3, "}"), "", reject_cause::malformed_json},
      {4, 1, "", reject_cause::malformed_json},
      {5, col(5, "x"), "", reject_cause::malformed_json},
      {6, col(6, "{\"a\""), "nps", reject_cause::invalid_value},
      {7, col(7, "\"}"), "", reject_cause::malformed_json},
      {8, col(8, "\xFF"), "agent", reject_cause::invalid_utf8},
      {11, col(11, "8"), "nps", reject_cause::malformed_json},
      {12, col(12, "\"1,5\""), "weight", reject_cause::not_a_number},
  };
  ASSERT_EQ(r.rejects.size(), w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    SCOPED_TRACE("reject " + std::to_string(i));
    EXPECT_EQ(r.rejects[i].line, w[i].line);
    EXPECT_EQ(r.rejects[i].column, w[i].column);
    EXPECT_EQ(r.rejects[i].field, w[i].field);
    EXPECT_EQ(r.rejects[i].cause, w[i].cause);
  }
  EXPECT_EQ(r.rejects[0].value, "9.5");
  EXPECT_EQ(r.rejects[3].value, lines[4]);  // a malformed line is kept whole, without its CRLF
  expect_balanced(r.report.summary);
  expect_same_everywhere(fmt::jsonl, text, {});
}

TEST(IngestJsonl, FirstObjectIsTheHeaderForRequiredFields) {
  ingest_options o;
  o.required = {response_field::timestamp};
  try {
    (void)stream_responses_jsonl_text("not json\n{\"nps\":9,\"Kanava\":\"chat\"}\n", "t.jsonl", o, {});
    FAIL() << "no exception";
  } catch (const parse_error& e) {
    EXPECT_STREQ(e.what(),
                 "[cxm.parse_error.301] t.jsonl:2, field 'timestamp': required key 'timestamp' (field 'timestamp', or "
                 "an alias such as 'date', 'datetime') is missing; keys found: 'nps', 'Kanava'");
  }
  // No object at all: every line is a reject, nothing is required of a header.
  const outcome r = read(fmt::jsonl, "1\n[]\n", o);
  EXPECT_EQ(r.report.summary.rejected, 2U);
}

// ---------------------------------------------------------------------------
// The same responses as CSV, JSON Lines and SPSS .sav

struct sample {
  const char* id;
  const char* iso;        // timestamp (UTC)
  std::int64_t epoch;     // the same, Unix seconds (Python datetime)
  int channel;            // 1 phone, 2 chat, 3 email (value labels in the .sav)
  int segment;            // 1 consumer, 2 b2b
  const char* agent;
  std::optional<int> nps, csat;
  int resolved;           // 1 yes, 0 no
  double weight;
  const char* why;
};

const std::vector<sample> kSample{
    {"r1", "2024-03-05T14:07:09Z", 1709647629, 1, 1, "ann", 9, 5, 1, 1.25, "quick, friendly"},
    {"r2", "2024-01-15T08:00:00Z", 1705305600, 2, 2, "bob", 3, std::nullopt, 0, 0.5, "waited \"forever\""},
    {"r3", "2024-02-29T23:59:59Z", 1709251199, 3, 1, "ann", 10, 4, 1, 2.0, "line one\nline two"},
    {"r4", "2024-01-01T00:00:00Z", 1704067200, 2, 2, "cem", 7, 1, 0, 1.0, ""},
    {"r5", "2024-03-05T14:07:09Z", 1709647629, 1, 2, "bob", std::nullopt, 3, 1, 0.75, "ok"},
};
const char* const kChannelName[] = {"", "phone", "chat", "email"};
const char* const kSegmentName[] = {"", "consumer", "b2b"};

std::string sample_csv() {
  std::string t = "id,timestamp,channel,segment,agent,nps,csat,resolved,weight,why\n";
  for (const auto& s : kSample) {
    std::string why = s.why;
    std::string q = "\"";
    for (char c : why) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    q += "\"";
    char w[32];
    std::snprintf(w, sizeof w, "%g", s.weight);
    t += std::string(s.id) + ',' + s.iso + ',' + kChannelName[s.channel] + ',' + kSegmentName[s.segment] + ',' +
         s.agent + ',' + (s.nps ? std::to_string(*s.nps) : "") + ',' + (s.csat ? std::to_string(*s.csat) : "") + ',' +
         (s.resolved ? "yes" : "no") + ',' + w + ',' + q + '\n';
  }
  return t;
}

std::string sample_jsonl() {
  std::string t;
  for (const auto& s : kSample) {
    nlohmann::ordered_json j;
    j["id"] = s.id;
    j["timestamp"] = s.iso;
    j["channel"] = kChannelName[s.channel];
    j["segment"] = kSegmentName[s.segment];
    j["agent"] = s.agent;
    j["nps"] = s.nps ? nlohmann::ordered_json(*s.nps) : nlohmann::ordered_json(nullptr);
    j["csat"] = s.csat ? nlohmann::ordered_json(*s.csat) : nlohmann::ordered_json(nullptr);
    j["resolved"] = s.resolved == 1;
    j["weight"] = s.weight;
    j["why"] = s.why;
    t += j.dump() + '\n';
  }
  return t;
}

// Rows without their line numbers, dictionaries resolved to names.
std::vector<std::string> rows_of(const std::vector<response>& rows, const std::vector<std::string>& channels) {
  std::vector<std::string> out;
  for (const auto& r : rows) {
    std::ostringstream s;
    s << r.id << '|' << (r.nps ? *r.nps : -1) << '|' << (r.csat ? *r.csat : -1) << '|'
      << (r.time ? r.time->time_since_epoch().count() : -1) << '|' << channels.at(r.channel.value) << '|' << r.segment
      << '|' << r.agent << '|' << r.weight << '|' << static_cast<int>(r.resolved) << '|' << r.why;
    out.push_back(s.str());
  }
  return out;
}

std::vector<std::string> sample_expected() {
  std::vector<std::string> out;
  for (const auto& s : kSample) {
    std::ostringstream x;
    x << s.id << '|' << (s.nps ? *s.nps : -1) << '|' << (s.csat ? *s.csat : -1) << '|' << s.epoch << '|'
      << kChannelName[s.channel] << '|' << kSegmentName[s.segment] << '|' << s.agent << '|' << s.weight << '|'
      << s.resolved << '|' << s.why;
    out.push_back(x.str());
  }
  return out;
}

TEST(IngestFormats, CsvAndJsonLinesGiveTheSameResponses) {
  const outcome c = read(fmt::csv, sample_csv());
  const outcome j = read(fmt::jsonl, sample_jsonl());
  ASSERT_TRUE(c.rejects.empty());
  ASSERT_TRUE(j.rejects.empty()) << j.rejects[0].message();
  EXPECT_EQ(rows_of(c.rows, c.channel_names), sample_expected());
  EXPECT_EQ(rows_of(j.rows, j.channel_names), sample_expected());
  EXPECT_EQ(c.report.summary.missing_by_field, j.report.summary.missing_by_field);
  EXPECT_EQ(c.report.summary.missing_by_field.at("nps"), 1U);
  EXPECT_EQ(c.report.summary.missing_by_field.at("csat"), 1U);
  EXPECT_EQ(c.report.summary.missing_by_field.at("why"), 1U);
}

#ifdef CXMETRICS_TEST_READSTAT

ssize_t write_to_file(const void* data, size_t len, void* ctx) {
  return static_cast<ssize_t>(std::fwrite(data, 1, len, static_cast<std::FILE*>(ctx)));
}

// Writes kSample as SPSS .sav: channel and segment numeric with value labels,
// timestamp numeric DATETIME (seconds since 1582-10-14), resolved numeric
// 1/0 labelled yes/no, nps with 99 declared user-missing (r5 holds 99),
// csat system-missing where absent.
std::filesystem::path write_sample_sav() {
  const auto dir = std::filesystem::temp_directory_path() / "cxm_ingest_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "sample.sav";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  readstat_writer_t* w = readstat_writer_init();
  readstat_set_data_writer(w, &write_to_file);
  readstat_label_set_t* ch = readstat_add_label_set(w, READSTAT_TYPE_DOUBLE, "channels");
  for (int i = 1; i <= 3; ++i) readstat_label_double_value(ch, i, kChannelName[i]);
  readstat_label_set_t* seg = readstat_add_label_set(w, READSTAT_TYPE_DOUBLE, "segments");
  for (int i = 1; i <= 2; ++i) readstat_label_double_value(seg, i, kSegmentName[i]);
  readstat_label_set_t* yn = readstat_add_label_set(w, READSTAT_TYPE_DOUBLE, "yesno");
  readstat_label_double_value(yn, 1, "Yes");
  readstat_label_double_value(yn, 0, "No");
  readstat_variable_t* v_id = readstat_add_variable(w, "id", READSTAT_TYPE_STRING, 8);
  readstat_variable_t* v_ts = readstat_add_variable(w, "timestamp", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_set_format(v_ts, "DATETIME20");
  readstat_variable_t* v_ch = readstat_add_variable(w, "channel", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_set_label_set(v_ch, ch);
  readstat_variable_t* v_seg = readstat_add_variable(w, "segment", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_set_label_set(v_seg, seg);
  readstat_variable_t* v_agent = readstat_add_variable(w, "agent", READSTAT_TYPE_STRING, 8);
  readstat_variable_t* v_nps = readstat_add_variable(w, "nps", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_add_missing_double_value(v_nps, 99);
  readstat_variable_t* v_csat = readstat_add_variable(w, "csat", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_t* v_res = readstat_add_variable(w, "resolved", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_set_label_set(v_res, yn);
  readstat_variable_t* v_w = readstat_add_variable(w, "weight", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_t* v_why = readstat_add_variable(w, "why", READSTAT_TYPE_STRING, 40);
  EXPECT_EQ(readstat_begin_writing_sav(w, f, static_cast<long>(kSample.size())), READSTAT_OK);
  for (const auto& s : kSample) {
    readstat_begin_row(w);
    readstat_insert_string_value(w, v_id, s.id);
    readstat_insert_double_value(w, v_ts, static_cast<double>(s.epoch) + 141428.0 * 86400.0);
    readstat_insert_double_value(w, v_ch, s.channel);
    readstat_insert_double_value(w, v_seg, s.segment);
    readstat_insert_string_value(w, v_agent, s.agent);
    readstat_insert_double_value(w, v_nps, s.nps ? *s.nps : 99.0);
    if (s.csat) {
      readstat_insert_double_value(w, v_csat, *s.csat);
    } else {
      readstat_insert_missing_value(w, v_csat);
    }
    readstat_insert_double_value(w, v_res, s.resolved);
    readstat_insert_double_value(w, v_w, s.weight);
    readstat_insert_string_value(w, v_why, s.why);
    readstat_end_row(w);
  }
  EXPECT_EQ(readstat_end_writing(w), READSTAT_OK);
  readstat_writer_free(w);
  std::fclose(f);
  return path;
}

TEST(IngestFormats, SpssSavGivesTheSameResponsesWithValueLabels) {
  ASSERT_TRUE(has_readstat());
  const auto path = write_sample_sav();
  ingest_options o;
  o.batch_rows = 2;  // several batches
  const ingest_result r = read_responses(path, o);
  ASSERT_TRUE(r.rejects.empty()) << r.rejects[0].message();
  EXPECT_EQ(r.report.format, ingest_format::sav);
  std::vector<response> rows;
  for (std::size_t i = 0; i < r.table.size(); ++i) rows.push_back(r.table.row(i));
  EXPECT_EQ(rows_of(rows, r.table.channel_labels().names()), sample_expected());
  const outcome c = read(fmt::csv, sample_csv());
  EXPECT_EQ(r.report.summary.missing_by_field, c.report.summary.missing_by_field);
  EXPECT_EQ(r.report.header, (std::vector<std::string>{"id", "timestamp", "channel", "segment", "agent", "nps", "csat",
                                                       "resolved", "weight", "why"}));
  // The same through the streaming API, and rejects name the row and variable.
  const auto bad = write_sample_sav();
  ingest_options strict_scale;
  strict_scale.scales.csat = scale::custom(1, 4, 4, 1);  // csat 5 of r1 is out of this scale
  const ingest_result s = read_responses(bad, strict_scale);
  ASSERT_EQ(s.rejects.size(), 1U);
  EXPECT_EQ(s.rejects[0].line, 1U);    // row 1
  EXPECT_EQ(s.rejects[0].column, 7U);  // variable 7: csat
  EXPECT_EQ(s.rejects[0].field, "csat");
  EXPECT_EQ(s.rejects[0].value, "5");
  ingest_options need;
  need.required = {response_field::ces};
  try {
    (void)read_responses(bad, need);
    FAIL() << "no exception";
  } catch (const parse_error& e) {
    EXPECT_NE(std::string(e.what()).find("variables found: 'id', 'timestamp', 'channel'"), std::string::npos) << e.what();
  }
}

// A .sav file of an nps variable and a timestamp variable with the given
// format ("" for a plain number) and values.
std::filesystem::path write_times_sav(const std::string& name, const char* format, const std::vector<double>& times) {
  const auto dir = std::filesystem::temp_directory_path() / "cxm_ingest_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  readstat_writer_t* w = readstat_writer_init();
  readstat_set_data_writer(w, &write_to_file);
  readstat_variable_t* v_nps = readstat_add_variable(w, "nps", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_t* v_ts = readstat_add_variable(w, "timestamp", READSTAT_TYPE_DOUBLE, 0);
  if (*format != '\0') readstat_variable_set_format(v_ts, format);
  EXPECT_EQ(readstat_begin_writing_sav(w, f, static_cast<long>(times.size())), READSTAT_OK);
  for (const double t : times) {
    readstat_begin_row(w);
    readstat_insert_double_value(w, v_nps, 9);
    readstat_insert_double_value(w, v_ts, t);
    readstat_end_row(w);
  }
  EXPECT_EQ(readstat_end_writing(w), READSTAT_OK);
  readstat_writer_free(w);
  std::fclose(f);
  return path;
}

TEST(IngestFormats, SpssDatesOutside1900To2200AreRejected) {
  ASSERT_TRUE(has_readstat());
  // SPSS counts seconds from 1582-10-14 (141428 days before 1970-01-01).
  // Unix times from Python's datetime: 2024-03-05T14:07:09Z 1709647629,
  // 1800-01-01 -5364662400, 2300-01-01 10413792000.
  const double spss = 141428.0 * 86400.0;
  const ingest_result r = read_responses(
      write_times_sav("dates.sav", "DATETIME20", {1709647629 + spss, -5364662400 + spss, 10413792000 + spss}));
  ASSERT_EQ(r.table.size(), 1U);
  EXPECT_EQ(r.table.row(0).time->time_since_epoch().count(), 1709647629);
  ASSERT_EQ(r.rejects.size(), 2U);
  for (const auto& x : r.rejects) {
    EXPECT_EQ(x.cause, reject_cause::timestamp_out_of_range);
    EXPECT_EQ(x.field, "timestamp");
    EXPECT_EQ(x.column, 2U);
  }
  EXPECT_EQ(r.rejects[0].line, 2U);
  EXPECT_NE(r.rejects[0].reason.find("is 1800-01-01T00:00:00Z, outside the accepted range"), std::string::npos)
      << r.rejects[0].reason;
  EXPECT_EQ(r.rejects[1].line, 3U);
  // A plain number is a Unix epoch by the rule of text: 1709647629123 is
  // milliseconds (>= 10^11), 1709647629 seconds; 1e11 - 1 seconds is out of range.
  const ingest_result e = read_responses(write_times_sav("epochs.sav", "", {1709647629123.0, 1709647629.0, 99999999999.0}));
  ASSERT_EQ(e.table.size(), 2U);
  EXPECT_EQ(e.table.row(0).time->time_since_epoch().count(), 1709647629);
  EXPECT_EQ(e.table.row(1).time->time_since_epoch().count(), 1709647629);
  ASSERT_EQ(e.rejects.size(), 1U);
  EXPECT_EQ(e.rejects[0].cause, reject_cause::timestamp_out_of_range);
}

#endif  // CXMETRICS_TEST_READSTAT

TEST(IngestFormats, ReadResponsesChoosesTheReaderByExtension) {
  const auto csv = temp_file("s.csv", sample_csv());
  const auto jsonl = temp_file("s.jsonl", sample_jsonl());
  const ingest_result a = read_responses(csv);
  const ingest_result b = read_responses(jsonl);
  EXPECT_EQ(a.report.format, ingest_format::csv);
  EXPECT_EQ(b.report.format, ingest_format::jsonl);
  EXPECT_EQ(a.table.size(), kSample.size());
  EXPECT_EQ(b.table.size(), kSample.size());
  EXPECT_TRUE(a.table.weighted());
  EXPECT_THROW((void)format_of_path("x.xlsx"), invalid_argument);
  EXPECT_EQ(format_of_path("A.SAV"), ingest_format::sav);
  EXPECT_EQ(format_of_path("a.ndjson"), ingest_format::jsonl);
  EXPECT_EQ(format_of_path("a.tsv"), ingest_format::csv);
  ingest_options o;
  o.format = ingest_format::xport;
  if (!has_readstat()) {
    EXPECT_THROW((void)read_responses(csv, o), invalid_argument);
  }
  EXPECT_THROW((void)read_responses(std::filesystem::path("/nonexistent/x.csv")), parse_error);
}

// ---------------------------------------------------------------------------
// Output helpers

TEST(IngestOutput, RejectFileAndSummaryJson) {
  ingest_reject r;
  r.file = "a.csv";
  r.line = 7;
  r.column = 3;
  r.field = "why";
  r.value = "say \"hi\", ok\nbye";
  r.reason = "x";
  r.error_id = parse_error::code;
  r.cause = reject_cause::malformed_csv;
  std::ostringstream out;
  reject_csv_writer writer(out);
  writer(r);
  EXPECT_EQ(out.str(),
            "file,line,column,field,cause,error_id,reason,value\n"
            "a.csv,7,3,why,malformed_csv,301,x,\"say \"\"hi\"\", ok\nbye\"\n");
  EXPECT_THROW(r.raise(), parse_error);

  ingest_summary s;
  s.rows_read = 3;
  s.accepted = 2;
  s.rejected = 1;
  s.rejected_by_cause["not_a_number"] = 1;
  const nlohmann::json j = s;
  EXPECT_EQ(j.at("rows_read"), 3);
  EXPECT_EQ(j.at("rejected_by_cause").at("not_a_number"), 1);
  EXPECT_EQ(field_from_name("why"), response_field::why);
  EXPECT_FALSE(field_from_name("comment").has_value());
}

}  // namespace

TEST(IngestCsv, ReportNamesTheColumnEachFieldWasReadFrom) {
  ingest_options o;
  o.columns.nps = "Recommend";
  const ingest_report r = stream_responses_csv_text(" RECOMMEND ,Weight,extra\n9,1.5,x\n", "t.csv", o, {});
  EXPECT_EQ(r.column_of[static_cast<std::size_t>(response_field::nps)], " RECOMMEND ");
  EXPECT_EQ(r.column_of[static_cast<std::size_t>(response_field::weight)], "Weight");
  EXPECT_TRUE(r.has(response_field::weight));
  EXPECT_FALSE(r.has(response_field::csat));
  EXPECT_FALSE(r.has(response_field::channel));
  EXPECT_EQ(r.ignored_columns, (std::vector<std::string>{"extra"}));
}

// ---------------------------------------------------------------------------
// Finding columns: keys, aliases, explicit names, the closest name

namespace {

std::string reason_of(std::string_view text, const ingest_options& o, std::string_view source = "t.csv") {
  try {
    (void)stream_responses_csv_text(text, source, o, {});
  } catch (const parse_error& e) {
    return e.reason();
  }
  return "(no exception)";
}

std::size_t idx(response_field f) { return static_cast<std::size_t>(f); }

}  // namespace

TEST(IngestColumns, KeysIgnoreCaseBlanksAndSeparators) {
  EXPECT_EQ(column_key("  Response  ID "), "response_id");
  EXPECT_EQ(column_key("Response-ID"), "response_id");
  EXPECT_EQ(column_key("RESPONSE__id"), "response_id");
  EXPECT_EQ(column_key("Q1 - NPS"), "q1_nps");
  EXPECT_EQ(column_key("\tnps\t"), "nps");
  EXPECT_EQ(column_key("Kyllä"), "kyllä");  // bytes past ASCII are kept as they are
  // The alias table: keys already, no field's own name, none twice.
  std::vector<std::string_view> seen;
  for (const auto& a : column_aliases) {
    EXPECT_EQ(column_key(a.name), a.name);
    EXPECT_FALSE(field_from_name(a.name).has_value()) << a.name;
    EXPECT_EQ(std::count(seen.begin(), seen.end(), a.name), 0) << a.name;
    seen.push_back(a.name);
  }
}

TEST(IngestColumns, AliasesOfSurveyExportsFindEveryField) {
  // 2024-03-05 and 2024-03-06 at 00:00Z: 1709596800 and 1709683200 (Python
  // datetime, as at the top of this file).
  const std::string text =
      "Response ID,Created-At,Contact Channel,Agent_Name,Customer Segment,LTR,Satisfaction,Effort,FCR,WT,Comments\n"
      "r1,2024-03-05,chat,Ann,smb,9,4,6,yes,0.5,fine\n"
      "r2,2024-03-06,phone,Bob,ent,3,2,2,no,2,slow\n";
  const outcome r = read(fmt::csv, text);
  ASSERT_TRUE(r.rejects.empty()) << r.rejects[0].message();
  ASSERT_EQ(r.rows.size(), 2U);
  const response& a = r.rows[0];
  EXPECT_EQ(a.id, "r1");
  EXPECT_EQ(a.time->time_since_epoch().count(), 1709596800);
  EXPECT_EQ(a.channel, channels::chat);
  EXPECT_EQ(a.agent, "Ann");
  EXPECT_EQ(a.segment, "smb");
  EXPECT_EQ(a.nps, 9);
  EXPECT_EQ(a.csat, 4);
  EXPECT_EQ(a.ces, 6);
  EXPECT_EQ(a.resolved, resolution::yes);
  EXPECT_EQ(a.weight, 0.5);
  EXPECT_EQ(a.why, "fine");
  EXPECT_EQ(r.rows[1].time->time_since_epoch().count(), 1709683200);
  EXPECT_EQ(r.rows[1].resolved, resolution::no);
  const auto& col = r.report.column_of;
  EXPECT_EQ(col[idx(response_field::id)], "Response ID");
  EXPECT_EQ(col[idx(response_field::timestamp)], "Created-At");
  EXPECT_EQ(col[idx(response_field::channel)], "Contact Channel");
  EXPECT_EQ(col[idx(response_field::agent)], "Agent_Name");
  EXPECT_EQ(col[idx(response_field::segment)], "Customer Segment");
  EXPECT_EQ(col[idx(response_field::nps)], "LTR");
  EXPECT_EQ(col[idx(response_field::csat)], "Satisfaction");
  EXPECT_EQ(col[idx(response_field::ces)], "Effort");
  EXPECT_EQ(col[idx(response_field::resolved)], "FCR");
  EXPECT_EQ(col[idx(response_field::weight)], "WT");
  EXPECT_EQ(col[idx(response_field::why)], "Comments");
  EXPECT_TRUE(r.report.ignored_columns.empty());
  expect_same_everywhere(fmt::csv, text, {});

  // The same matcher for JSON keys: the first object's key is the field's
  // key from then on; a field the first object lacks is found later under
  // any of its names.
  const outcome j = read(fmt::jsonl,
                         "{\"ResponseId\":\"r1\",\"LTR\":9,\"Verbatim\":\"fine\"}\n"
                         "{\"responseid\":\"r2\",\"ltr\":3,\"wt\":2}\n");
  ASSERT_TRUE(j.rejects.empty()) << j.rejects[0].message();
  ASSERT_EQ(j.rows.size(), 2U);
  EXPECT_EQ(j.rows[0].id, "r1");
  EXPECT_EQ(j.rows[0].nps, 9);
  EXPECT_EQ(j.rows[0].why, "fine");
  EXPECT_EQ(j.rows[1].id, "r2");
  EXPECT_EQ(j.rows[1].nps, 3);
  EXPECT_EQ(j.rows[1].weight, 2.0);
  EXPECT_EQ(j.report.column_of[idx(response_field::id)], "ResponseId");
  EXPECT_EQ(j.report.delimiter, 0);  // CSV only
}

TEST(IngestColumns, OwnNameWinsAndTwoAliasesAreAnError) {
  const outcome r = read(fmt::csv, "why,comment,nps\nw,c,9\n");
  ASSERT_EQ(r.rows.size(), 1U);
  EXPECT_EQ(r.rows[0].why, "w");
  EXPECT_EQ(r.report.ignored_columns, (std::vector<std::string>{"comment"}));
  try {
    (void)stream_responses_csv_text("nps,Comment,feedback\n9,a,b\n", "t.csv", {}, {});
    FAIL() << "no exception";
  } catch (const parse_error& e) {
    EXPECT_STREQ(e.what(),
                 "[cxm.parse_error.301] t.csv:1:3, field 'why': columns 'Comment' and 'feedback' (columns 2 and 3) "
                 "are both names of field 'why'; name the one to read (cxm: --column why=NAME; a mapping's "
                 "\"columns\")");
  }
  // One alias in two spellings is two columns too; never a silent pick.
  EXPECT_EQ(reason_of("nps,Comment,comment\n9,a,b\n", {}),
            "columns 'Comment' and 'comment' (columns 2 and 3) are both names of field 'why'; name the one to read "
            "(cxm: --column why=NAME; a mapping's \"columns\")");
  EXPECT_EQ(reason_of("nps,NPS\n1,2\n", {}), "columns 'nps' and 'NPS' (columns 1 and 2) are one name for field 'nps'");
  EXPECT_EQ(reason_of("nps,nps\n1,2\n", {}), "column 'nps' appears twice in the header (columns 1 and 2)");
  // Naming one settles it.
  ingest_options o;
  o.columns.why = "Comment";
  const outcome named = read(fmt::csv, "nps,Comment,feedback\n9,a,b\n", o);
  ASSERT_EQ(named.rows.size(), 1U);
  EXPECT_EQ(named.rows[0].why, "a");
  EXPECT_EQ(named.report.ignored_columns, (std::vector<std::string>{"feedback"}));
}

TEST(IngestColumns, ExplicitNamesMatchOnlyThemselves) {
  ingest_options o;
  o.columns.why = "Notes";
  const outcome r = read(fmt::csv, "nps,comment\n9,x\n", o);
  EXPECT_FALSE(r.report.has(response_field::why));  // no alias for a name the caller gave
  EXPECT_EQ(r.report.ignored_columns, (std::vector<std::string>{"comment"}));
  o.required = {response_field::why};
  EXPECT_EQ(reason_of("nps,comment\n9,x\n", o),
            "required column 'Notes' (field 'why') is missing; did you mean 'comment'? columns found: 'nps', 'comment'");

  ingest_options q;
  q.columns.nps = "Q1 Recommend";
  const outcome k = read(fmt::csv, "q1-recommend ,x\n9,1\n", q);
  ASSERT_EQ(k.rows.size(), 1U);
  EXPECT_EQ(k.rows[0].nps, 9);
  EXPECT_EQ(k.report.column_of[idx(response_field::nps)], "q1-recommend ");

  // An alias never takes a column another field names explicitly.
  ingest_options s;
  s.columns.segment = "feedback";
  const outcome g = read(fmt::csv, "nps,feedback\n9,smb\n", s);
  ASSERT_EQ(g.rows.size(), 1U);
  EXPECT_EQ(g.rows[0].segment, "smb");
  EXPECT_FALSE(g.report.has(response_field::why));
}

TEST(IngestColumns, MissingNamesSayTheClosestColumn) {
  ingest_options o;
  o.columns.nps = "Recomend";
  o.required = {response_field::nps};
  EXPECT_EQ(reason_of("id,Recommend\n1,9\n", o),
            "required column 'Recomend' (field 'nps') is missing; did you mean 'Recommend'? columns found: 'id', "
            "'Recommend'");
  // Too far to be a typo, but the field's own column is there.
  o.columns.nps = "NoSuch";
  EXPECT_EQ(reason_of("id,nps,why\n1,9,x\n", o),
            "required column 'NoSuch' (field 'nps') is missing; did you mean 'nps'? columns found: 'id', 'nps', 'why'");
  // ...unless another field reads it.
  o.columns.csat = "nps";
  EXPECT_EQ(reason_of("id,nps\n1,4\n", o), "required column 'NoSuch' (field 'nps') is missing; columns found: 'id', 'nps'");

  // Damerau–Levenshtein: a swap of neighbours is one edit. A 4-byte name
  // allows max(4, 3) / 3 = 1 edit: "ba12" is 1 away from "ab12" (Levenshtein
  // would say 2), "ba21" is 2 away.
  ingest_options t;
  t.columns.id = "ab12";
  t.required = {response_field::id};
  EXPECT_EQ(reason_of("nps,ba12\n9,x\n", t),
            "required column 'ab12' (field 'id') is missing; did you mean 'ba12'? columns found: 'nps', 'ba12'");
  EXPECT_EQ(reason_of("nps,ba21\n9,x\n", t), "required column 'ab12' (field 'id') is missing; columns found: 'nps', 'ba21'");

  // A field named by default (cxm's --by channel): its aliases are named too.
  ingest_options c;
  c.required = {response_field::channel};
  EXPECT_EQ(reason_of("nps,Chanel\n9,chat\n", c),
            "required column 'channel' (field 'channel', or an alias such as 'contact_channel', 'channel_name') is "
            "missing; did you mean 'Chanel'? columns found: 'nps', 'Chanel'");
  EXPECT_EQ(reason_of("id,NSP\n1,9\n", {}),
            "no score column: the header needs at least one of 'nps', 'csat', 'ces' (or an alias, e.g. 'ltr', "
            "'satisfaction', 'effort'); did you mean 'NSP'? columns found: 'id', 'NSP'");
}

TEST(IngestColumns, SpssVariablesUseTheSameMatcher) {
#ifdef CXMETRICS_TEST_READSTAT
  const auto dir = std::filesystem::temp_directory_path() / "cxm_ingest_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "aliases.sav";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  readstat_writer_t* w = readstat_writer_init();
  readstat_set_data_writer(w, &write_to_file);
  readstat_variable_t* v_id = readstat_add_variable(w, "ResponseId", READSTAT_TYPE_STRING, 8);
  readstat_variable_t* v_nps = readstat_add_variable(w, "LTR", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_t* v_why = readstat_add_variable(w, "Comments", READSTAT_TYPE_STRING, 16);
  ASSERT_EQ(readstat_begin_writing_sav(w, f, 1), READSTAT_OK);
  readstat_begin_row(w);
  readstat_insert_string_value(w, v_id, "s1");
  readstat_insert_double_value(w, v_nps, 7.0);
  readstat_insert_string_value(w, v_why, "ok");
  readstat_end_row(w);
  ASSERT_EQ(readstat_end_writing(w), READSTAT_OK);
  readstat_writer_free(w);
  std::fclose(f);
  const ingest_result r = read_responses(path);
  ASSERT_EQ(r.table.size(), 1U);
  EXPECT_EQ(r.table.row(0).id, "s1");
  EXPECT_EQ(r.table.row(0).nps, 7);
  EXPECT_EQ(r.table.row(0).why, "ok");
  EXPECT_EQ(r.report.column_of[idx(response_field::nps)], "LTR");
  EXPECT_EQ(r.report.delimiter, 0);
#else
  GTEST_SKIP() << "built without ReadStat's writer";
#endif
}

// ---------------------------------------------------------------------------
// The CSV dialect

TEST(IngestDialect, EachCandidateDelimiterIsDetected) {
  for (const char d : {',', ';', '\t', '|'}) {
    const std::string s(1, d);
    SCOPED_TRACE("delimiter " + std::to_string(static_cast<int>(d)));
    // The why field holds the delimiter inside quotes.
    const std::string text = "id" + s + "nps" + s + "why\nr1" + s + "9" + s + "\"x" + s + " y\"\nr2" + s + "3" + s + "z\n";
    const outcome r = read(fmt::csv, text);
    ASSERT_TRUE(r.rejects.empty()) << r.rejects[0].message();
    ASSERT_EQ(r.rows.size(), 2U);
    EXPECT_EQ(r.rows[0].nps, 9);
    EXPECT_EQ(r.rows[0].why, "x" + s + " y");
    EXPECT_EQ(r.rows[1].nps, 3);
    EXPECT_EQ(r.report.delimiter, d);
    EXPECT_TRUE(r.report.delimiter_detected);
    EXPECT_EQ(r.report.decimal_point, '.');
    EXPECT_FALSE(r.report.decimal_point_detected);
    expect_same_everywhere(fmt::csv, text, {});
    EXPECT_EQ(read(fmt::csv, text, {}, via::stream).canon, r.canon);  // a stream sniffs its first window too
  }
  ingest_options o;
  o.delimiter = ';';
  const outcome given = read(fmt::csv, "nps;why\n9;x\n", o);
  EXPECT_EQ(given.report.delimiter, ';');
  EXPECT_FALSE(given.report.delimiter_detected);
  // One column: every candidate gives one field; ',' by the rule.
  EXPECT_EQ(read(fmt::csv, "nps\n9\n").report.delimiter, ',');
}

TEST(IngestDialect, QuotesAreRespectedWhenDetecting) {
  // Split without regard to quotes, ';' would give 4 fields on every line;
  // with quotes, the header is one field under ';' and two under ','.
  const outcome r = read(fmt::csv, "\"a;b;c;d\",nps\n\"x;y;z;w\",9\n\"p;q;r;s\",3\n");
  EXPECT_EQ(r.report.delimiter, ',');
  ASSERT_EQ(r.rows.size(), 2U);
  EXPECT_EQ(r.rows[1].nps, 3);
  EXPECT_EQ(r.report.ignored_columns, (std::vector<std::string>{"a;b;c;d"}));
  // Quoted commas and a line break in a ';' file.
  const outcome s = read(fmt::csv, "id;nps;why\nr1;9;\"a, b,\nc, d\"\nr2;3;\"e, f\"\n");
  EXPECT_EQ(s.report.delimiter, ';');
  ASSERT_EQ(s.rows.size(), 2U);
  EXPECT_EQ(s.rows[0].why, "a, b,\nc, d");
  EXPECT_EQ(s.rows[1].why, "e, f");
}

TEST(IngestDialect, DecimalCommaIsDetectedFromTheWeights) {
  const std::string eu = "id;nps;weight\nr1;9;0,87\nr2;3;1,5\nr3;10;2\n";
  const outcome r = read(fmt::csv, eu);
  ASSERT_TRUE(r.rejects.empty()) << r.rejects[0].message();
  EXPECT_EQ(r.report.delimiter, ';');
  EXPECT_EQ(r.report.decimal_point, ',');
  EXPECT_TRUE(r.report.decimal_point_detected);
  ASSERT_EQ(r.rows.size(), 3U);
  EXPECT_EQ(r.rows[0].weight, 0.87);
  EXPECT_EQ(r.rows[1].weight, 1.5);
  EXPECT_EQ(r.rows[2].weight, 2.0);
  expect_same_everywhere(fmt::csv, eu, {});
  EXPECT_EQ(read(fmt::csv, eu, {}, via::stream).canon, r.canon);

  // ',' is a real candidate here (two fields on every line, "0,87" split in
  // two), but ';' gives three on every line.
  const outcome c = read(fmt::csv, "nps;weight;why, if any\n9;0,87;good\n3;1,5;bad\n");
  EXPECT_EQ(c.report.delimiter, ';');
  EXPECT_EQ(c.report.decimal_point, ',');
  ASSERT_EQ(c.rows.size(), 2U);
  EXPECT_EQ(c.rows[0].weight, 0.87);
  EXPECT_EQ(c.rows[1].weight, 1.5);

  // A delimiter given, the decimal point not: still detected.
  ingest_options semi;
  semi.delimiter = ';';
  EXPECT_EQ(read(fmt::csv, eu, semi).report.decimal_point, ',');

  // Not detected: a 0.5 among the weights (then "0,87" is not a number), a
  // ',' delimiter, whole numbers only, no weight column read, the point given.
  const outcome mixed = read(fmt::csv, "id;nps;weight\nr1;9;0,87\nr2;3;0.5\n");
  EXPECT_EQ(mixed.report.decimal_point, '.');
  EXPECT_FALSE(mixed.report.decimal_point_detected);
  ASSERT_EQ(mixed.rejects.size(), 1U);
  EXPECT_EQ(mixed.rejects[0].line, 2U);
  EXPECT_EQ(mixed.rejects[0].cause, reject_cause::not_a_number);
  const outcome comma = read(fmt::csv, "nps,weight\n9,\"0,87\"\n");
  EXPECT_EQ(comma.report.decimal_point, '.');
  EXPECT_EQ(comma.rejects.size(), 1U);
  EXPECT_EQ(read(fmt::csv, "nps;weight\n9;1\n3;2\n").report.decimal_point, '.');
  ingest_options unweighted;
  unweighted.columns.weight = "";
  const outcome u = read(fmt::csv, eu, unweighted);
  EXPECT_EQ(u.report.decimal_point, '.');
  EXPECT_TRUE(u.rejects.empty());
  ingest_options point;
  point.decimal_point = '.';
  const outcome p = read(fmt::csv, eu, point);
  EXPECT_FALSE(p.report.decimal_point_detected);
  EXPECT_EQ(p.rejects.size(), 2U);  // 0,87 and 1,5
}

TEST(IngestDialect, TsvNamesMeanTabAndTheHintNamesTheDelimiterThatWorks) {
  // ',' and tab both give two fields per line; ',' comes first in the rule,
  // and then the header has no score column: the message says tab would do.
  const std::string text = "nps\tcomment, more\n9\ta, b\n";
  EXPECT_EQ(reason_of(text, {}),
            "no score column: the header needs at least one of 'nps', 'csat', 'ces' (or an alias, e.g. 'ltr', "
            "'satisfaction', 'effort'); columns found: 'nps\tcomment', ' more' (with --delimiter tab the header "
            "has columns 'nps', 'comment, more')");
  const ingest_report tsv = stream_responses_csv_text(text, "survey.TSV", {}, {});
  EXPECT_EQ(tsv.delimiter, '\t');
  EXPECT_TRUE(tsv.delimiter_detected);
  EXPECT_EQ(tsv.summary.accepted, 1U);

  ingest_options comma;
  comma.delimiter = ',';
  EXPECT_EQ(reason_of("id;nps\nr1;9\n", comma),
            "no score column: the header needs at least one of 'nps', 'csat', 'ces' (or an alias, e.g. 'ltr', "
            "'satisfaction', 'effort'); columns found: 'id;nps' (with --delimiter ';' the header has columns 'id', "
            "'nps')");
  ingest_options semi;
  semi.delimiter = ';';
  semi.required = {response_field::channel};
  EXPECT_EQ(reason_of("nps,channel\n9,chat\n", semi),
            "required column 'channel' (field 'channel', or an alias such as 'contact_channel', 'channel_name') is "
            "missing; columns found: 'nps,channel' (with --delimiter ',' the header has columns 'nps', 'channel')");
}

TEST(IngestDialect, RandomInputsDetectTheSameEverywhere) {
  // Seeded random bodies under a header of each candidate delimiter: the
  // detection depends only on the first 64 KiB, never on chunks, threads or
  // the source, and reading with the delimiter it found gives the same.
  std::uint64_t state = 20240611;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<unsigned>(state >> 33);
  };
  const char alphabet[] = {'"', ',', ';', '\t', '|', '\r', '\n', '\n', '9', '1', '0', ',', 'a', ' ', '.', '\xC3', '\xA4'};
  const char delims[] = {',', ';', '\t', '|'};
  for (int k = 0; k < 24; ++k) {
    const std::string d(1, delims[k % 4]);
    std::string text = "id" + d + "nps" + d + "why" + d + "weight\n";
    for (int i = 0; i < 300; ++i) text += alphabet[next() % sizeof alphabet];
    SCOPED_TRACE("input " + std::to_string(k));
    expect_same_everywhere(fmt::csv, text, {});
    const outcome r = read(fmt::csv, text);
    EXPECT_EQ(read(fmt::csv, text, {}, via::stream).canon, r.canon);
    ingest_options fixed;
    fixed.delimiter = r.report.delimiter;
    fixed.decimal_point = r.report.decimal_point;
    EXPECT_EQ(read(fmt::csv, text, fixed).canon, r.canon);
  }
}

TEST(IngestDialect, FirstRecordLongerThanTheWindow) {
  // A 100 KB header: detection sees its first 64 KiB only, which is enough.
  std::string text = "nps";
  for (int i = 0; text.size() < 100000; ++i) text += ";column_" + std::to_string(i);
  const std::size_t fields = static_cast<std::size_t>(std::count(text.begin(), text.end(), ';')) + 1;
  text += "\n9" + std::string(fields - 1, ';') + "\n";
  const outcome r = read(fmt::csv, text);
  EXPECT_EQ(r.report.delimiter, ';');
  ASSERT_EQ(r.rows.size(), 1U);
  EXPECT_EQ(r.rows[0].nps, 9);
}

// ---------------------------------------------------------------------------
// Long values in messages

TEST(IngestMessages, LongNamesAndListsAreCut) {
  // One 1 MiB column name: the message shows 80 bytes of it and its size.
  const std::string huge(std::size_t{1} << 20, 'x');
  const std::string one = reason_of(huge + ",other\n1,2\n", {});
  EXPECT_LT(one.size(), 1024U) << one.substr(0, 2000);
  EXPECT_NE(one.find("'" + std::string(80, 'x') + "\u2026 (1048576 bytes)', 'other'"), std::string::npos) << one;
  // 100 000 columns: the list stops near 400 bytes and says how many more.
  std::string many;
  for (int i = 0; i < 100000; ++i) many += (i ? ",c" : "c") + std::to_string(i);
  const std::string list = reason_of(many + "\n", {});
  EXPECT_LT(list.size(), 1024U) << list.substr(0, 2000);
  EXPECT_NE(list.find("'c0', 'c1', 'c2'"), std::string::npos) << list;
  EXPECT_NE(list.find(" more"), std::string::npos) << list;
  // Cut on a character boundary: 'a' then 2-byte 'ä's; byte 80 is inside one.
  std::string umlauts = "a";
  for (int i = 0; i < 100; ++i) umlauts += "\u00e4";
  std::string shown = "'a";
  for (int i = 0; i < 39; ++i) shown += "\u00e4";
  shown += "\u2026 (201 bytes)'";
  EXPECT_NE(reason_of(umlauts + ",b\n1,2\n", {}).find(shown), std::string::npos);
  // A 1 MiB name given explicitly and a 1 MiB mapping value.
  ingest_options o;
  o.columns.nps = huge;
  o.required = {response_field::nps};
  const std::string req = reason_of("id,nps\n1,9\n", o);
  EXPECT_LT(req.size(), 1024U) << req.substr(0, 2000);
  EXPECT_NE(req.find("did you mean 'nps'?"), std::string::npos) << req;
  try {
    (void)mapping_from_json("{\"delimiter\": \"" + huge + "\"}");
    FAIL() << "no exception";
  } catch (const invalid_argument& e) {
    EXPECT_LT(std::string(e.what()).size(), 1024U);
  }
}

TEST(IngestMapping, ColumnsTheMappingNamesAreRequired) {
  const ingest_options o = mapping_from_json(R"({"columns": {"nps": "Suositus", "why": ""}, "required": ["timestamp"]})");
  EXPECT_EQ(o.required, (std::vector<response_field>{response_field::timestamp, response_field::nps}));
  ingest_options no_time = o;
  no_time.required = {response_field::nps};
  EXPECT_EQ(reason_of("id,nps\n1,9\n", no_time),
            "required column 'Suositus' (field 'nps') is missing; did you mean 'nps'? columns found: 'id', 'nps'");
  const ingest_options t = mapping_from_json(R"({"format": "tsv"})");
  EXPECT_EQ(t.format, ingest_format::csv);
  EXPECT_EQ(t.delimiter, '\t');
  EXPECT_EQ(mapping_from_json(R"({"format": "tsv", "delimiter": ";"})").delimiter, ';');
  ingest_options base;
  base.delimiter = '|';
  EXPECT_EQ(mapping_from_json(R"({"delimiter": "detect"})", base).delimiter, 0);
  EXPECT_EQ(ingest_options{}.delimiter, 0);
  EXPECT_EQ(ingest_options{}.decimal_point, 0);
}
