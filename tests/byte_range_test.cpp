// Byte-range reads (io/ingest_options.hpp, byte_range): ranges that tile a
// CSV or JSON Lines file give, together, exactly the rows, rejects and counts
// of the whole file read in one go (the reference here), whatever the cuts,
// line endings, thread count and chunk size; a reject's line, counted from
// the range's first record, plus the line breaks before that record (counted
// here in the text) is its line in the file; a CSV record that spans a line
// break is refused with the byte of its quote; streams and SPSS files refuse
// ranges.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/ingest.hpp"

namespace {

namespace fs = std::filesystem;
constexpr auto kEnd = static_cast<std::uint64_t>(-1);

fs::path write_file(const std::string& name, const std::string& text) {
  const auto seed = ::testing::UnitTest::GetInstance()->random_seed();
  const fs::path p = fs::temp_directory_path() / ("cxm_byte_range_" + std::to_string(seed) + "_" + name);
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

// What a read gives, in a form that concatenates: one line per row, the
// rejects with their absolute line (relative line + `line0`), the counts.
struct outcome {
  std::vector<std::string> rows;
  std::vector<std::string> rejects;
  std::uint64_t rows_read = 0;
  std::uint64_t rejected = 0;
  std::uint64_t empty_lines = 0;
  std::uint64_t bytes_read = 0;

  void add(const cxm::ingest_result& r, std::uint64_t line0) {
    const auto& t = r.table;
    for (std::size_t i = 0; i < t.size(); ++i) {
      rows.push_back(std::string(t.id()[i]) + "|" + std::to_string(t.nps()[i]) + "|" +
                     t.channel_labels().name(cxm::channel_id{t.channel()[i]}) + "|" + std::string(t.why()[i]));
    }
    for (const auto& j : r.rejects) rejects.push_back(std::to_string(j.line + line0) + ":" + j.field + ":" + j.value);
    rows_read += r.report.summary.rows_read;
    rejected += r.report.summary.rejected;
    empty_lines += r.report.summary.empty_lines;
    bytes_read += r.report.summary.bytes_read;
  }
  friend bool operator==(const outcome&, const outcome&) = default;
};

// Line breaks in text[0, end) as the CSV reader counts them (LF, CRLF, lone CR).
std::uint64_t breaks_before(const std::string& text, std::uint64_t end, bool lone_cr) {
  std::uint64_t n = 0;
  for (std::uint64_t i = 0; i < end; ++i) {
    if (text[i] == '\n') ++n;
    if (text[i] == '\r' && lone_cr && (i + 1 >= text.size() || text[i + 1] != '\n')) ++n;
  }
  return n;
}

// Non-empty lines of text that start at an offset in [begin, end), at or
// after `data` (the first record's offset): the rows a range must read.
std::uint64_t rows_starting_in(const std::string& text, std::uint64_t data, std::uint64_t begin, std::uint64_t end,
                               bool lone_cr) {
  std::uint64_t n = 0;
  for (std::uint64_t p = data; p < text.size(); ++p) {
    const bool starts = p == data || text[p - 1] == '\n' || (lone_cr && text[p - 1] == '\r' && text[p] != '\n');
    if (starts && p >= begin && p < end && text[p] != '\n' && text[p] != '\r') ++n;
  }
  return n;
}

// Reads the tiling of `file` cut at `cuts` (ascending), checking that each
// range reads the rows that start in it; rejects keep their line in the
// file, found from the range's name "FILE[S:E]".
outcome read_tiled(const fs::path& file, const std::string& text, std::vector<std::uint64_t> cuts,
                   cxm::ingest_options o, bool lone_cr, std::uint64_t data) {
  outcome all;
  std::uint64_t begin = 0;
  cuts.push_back(kEnd);
  for (const std::uint64_t end : cuts) {
    o.range = cxm::byte_range{begin, end};
    const auto r = cxm::read_responses(file, o);
    EXPECT_EQ(r.report.summary.rows_read, rows_starting_in(text, data, begin, end, lone_cr))
        << "range [" << begin << ", " << end << ")";
    std::uint64_t line0 = 0;
    for (const auto& j : r.rejects) {
      if (j.file == file.string()) continue;  // the first range keeps the file's own lines
      const auto open = j.file.rfind('[');
      EXPECT_EQ(j.file.substr(0, open), file.string());
      if (open == std::string::npos || !std::isdigit(static_cast<unsigned char>(j.file[open + 1]))) {
        ADD_FAILURE() << "range name " << j.file;
        continue;
      }
      const std::uint64_t first = std::stoull(j.file.substr(open + 1));
      EXPECT_GE(first, begin) << j.file;
      line0 = breaks_before(text, first, lone_cr);
    }
    all.add(r, line0);
    begin = end;
  }
  return all;
}

std::string csv_text(bool crlf) {
  const std::string nl = crlf ? "\r\n" : "\n";
  std::string t = "\xEF\xBB\xBF" + nl + "id,nps,channel,why" + nl + nl;  // BOM, an empty line before the header
  std::mt19937 rng(7);
  for (int i = 0; i < 120; ++i) {
    const int score = static_cast<int>(rng() % 13);  // 11 and 12: out of scale, rejected
    t += "r" + std::to_string(i) + "," + std::to_string(score) + "," + (i % 3 == 0 ? "chat" : "phone") + ",";
    if (i % 4 == 0) t += "\"said \"\"fine, thanks\"\"\"";
    if (i % 17 == 0) t += nl;  // an empty line
    t += nl;
  }
  return t;
}

TEST(ByteRange, TilingsOfACsvFileGiveTheWholeRead) {
  for (const bool crlf : {false, true}) {
    const std::string text = csv_text(crlf);
    const auto file = write_file(crlf ? "crlf.csv" : "lf.csv", text);
    const std::string header = std::string("id,nps,channel,why") + (crlf ? "\r\n" : "\n");
    const std::uint64_t data = text.find(header) + header.size();
    cxm::ingest_options o;
    outcome whole;
    whole.add(cxm::read_responses(file, o), 0);
    ASSERT_GT(whole.rejected, 5U);
    ASSERT_GT(whole.empty_lines, 5U);
    EXPECT_EQ(whole.bytes_read, text.size());
    // One cut at every byte (the header's bytes included), then random
    // tilings of 2 to 9 ranges on 1 and 3 threads with small chunks.
    for (std::uint64_t c = 0; c <= text.size() + 1; ++c) {
      ASSERT_EQ(read_tiled(file, text, {c}, o, true, data), whole) << "cut at " << c << (crlf ? " (CRLF)" : "");
    }
    std::mt19937_64 rng(11);
    for (int k = 0; k < 60; ++k) {
      std::vector<std::uint64_t> cuts(1 + rng() % 8);
      for (auto& c : cuts) c = rng() % (text.size() + 4);
      std::sort(cuts.begin(), cuts.end());
      o.threads = k % 2 == 0 ? 1 : 3;
      o.chunk_bytes = 64 + rng() % 512;
      ASSERT_EQ(read_tiled(file, text, cuts, o, true, data), whole) << "tiling " << k;
    }
    fs::remove(file);
  }
}

TEST(ByteRange, LoneCarriageReturnsEndCsvRecords) {
  std::string text = "id,nps\r";
  for (int i = 0; i < 30; ++i) text += "q" + std::to_string(i) + "," + std::to_string(i % 14) + "\r";
  const auto file = write_file("cr.csv", text);
  cxm::ingest_options o;
  outcome whole;
  whole.add(cxm::read_responses(file, o), 0);
  ASSERT_EQ(whole.rows_read, 30U);
  for (std::uint64_t c = 0; c <= text.size(); ++c) {
    ASSERT_EQ(read_tiled(file, text, {c, c + 9}, o, true, 7), whole) << "cuts at " << c;
  }
  fs::remove(file);
}

TEST(ByteRange, TilingsOfAJsonLinesFileGiveTheWholeRead) {
  std::string text;
  for (int i = 0; i < 50; ++i) {
    text += "{\"id\": \"j" + std::to_string(i) + "\", \"nps\": " + std::to_string(i % 12) +
            ", \"channel\": \"web\", \"why\": \"a\\nb \\\"c\\\"\"}\n";
    if (i % 9 == 0) text += "\n";
  }
  const auto file = write_file("lines.jsonl", text);
  cxm::ingest_options o;
  outcome whole;
  whole.add(cxm::read_responses(file, o), 0);
  ASSERT_GT(whole.rejected, 0U);
  for (std::uint64_t c = 0; c <= text.size(); c += 3) {
    ASSERT_EQ(read_tiled(file, text, {c / 2, c}, o, false, 0), whole) << "cuts at " << c / 2 << ", " << c;
  }
  fs::remove(file);
}

TEST(ByteRange, RangesNameTheirFirstAndNextRecord) {
  const std::string text = "nps,channel\n9,web\n12,web\n7,chat\n";  // records at 12, 18 and 25
  const auto file = write_file("names.csv", text);
  cxm::ingest_options o;
  o.range = cxm::byte_range{13, 19};  // starts in "9,web": the first record starting at or after 13 is 18's
  const auto r = cxm::read_responses(file, o);
  EXPECT_EQ(r.table.size(), 0U);
  ASSERT_EQ(r.rejects.size(), 1U);
  EXPECT_EQ(r.rejects[0].file, file.string() + "[18:25]");
  EXPECT_EQ(r.rejects[0].line, 1U);
  EXPECT_EQ(r.report.summary.bytes_read, 25U - 18U);
  o.range = cxm::byte_range{19, kEnd};
  const auto tail = cxm::read_responses(file, o);
  EXPECT_EQ(tail.table.size(), 1U);
  EXPECT_EQ(tail.report.summary.bytes_read, text.size() - 25U);
  o.range = cxm::byte_range{5, 4};
  EXPECT_THROW((void)cxm::read_responses(file, o), cxm::invalid_argument);
  fs::remove(file);
}

TEST(ByteRange, AQuotedLineBreakIsRefusedUnlessTheRangeIsTheWholeFile) {
  const std::string text = "nps,why\n9,fine\n8,\"two\nlines\"\n7,ok\n";  // the quote at byte 17
  const auto file = write_file("multiline.csv", text);
  cxm::ingest_options o;
  o.range = cxm::byte_range{0, kEnd};
  EXPECT_EQ(cxm::read_responses(file, o).table.size(), 3U);
  for (const std::uint64_t cut : {std::uint64_t{10}, std::uint64_t{20}, std::uint64_t{28}}) {
    std::string messages;  // the range holding the opening quote names its byte
    for (const auto& r : {cxm::byte_range{0, cut}, cxm::byte_range{cut, kEnd}}) {
      o.range = r;
      try {
        (void)cxm::read_responses(file, o);
      } catch (const cxm::parse_error& e) {
        messages += e.what();
      }
    }
    EXPECT_NE(messages.find("opened at byte 17 "), std::string::npos) << "cut at " << cut << ": " << messages;
  }
  fs::remove(file);
}

TEST(ByteRange, StreamsAndOtherFormatsRefuseRanges) {
  cxm::ingest_options o;
  o.range = cxm::byte_range{1, 2};
  std::istringstream in("nps\n9\n");
  EXPECT_THROW((void)cxm::stream_responses_csv(in, "stdin", o, {}), cxm::invalid_argument);
  const auto sav = write_file("x.sav", "not read");
  EXPECT_THROW((void)cxm::read_responses(sav, o), cxm::invalid_argument);
  fs::remove(sav);
}

}  // namespace
