// CSV reading: RFC 4180 syntax, header mapping, every reject reason, strict
// mode, and the bundled sample file.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cxmetrics/io/csv.hpp"

namespace {

using namespace cxm;

// The whole input into a table, as read_responses does with a file; from a
// stream, so that the sequential path is the one tested here.
ingest_result read(const std::string& text, const ingest_options& o = {}) {
  std::istringstream in(text);
  ingest_result r{response_table(o.scales, o.channels), {}, {}};
  const ingest_sink sink{[&](const response_batch& b) { b.append_to(r.table); },
                         [&](const ingest_reject& x) { r.rejects.push_back(x); }};
  r.report = stream_responses_csv(in, "t.csv", o, sink);
  return r;
}

void expect_balanced(const ingest_summary& s) {
  EXPECT_EQ(s.rows_read, s.accepted + s.rejected);
  std::uint64_t by_reason = 0;
  for (const auto& [kind, n] : s.rejected_by_reason) by_reason += n;
  EXPECT_EQ(by_reason, s.rejected);
}

TEST(Csv, ReadsFieldsIntoTheTable) {
  const auto r = read(
      "id,timestamp,channel,agent,segment,nps,csat,ces,resolved,weight,why\n"
      "a1,2024-03-05T14:07:09Z,chat,ann,consumer,9,5,6,yes,1.5,great\n"
      "a2,,Phone,,,3,,,no,,\n");
  ASSERT_TRUE(r.rejects.empty());
  ASSERT_EQ(r.table.size(), 2u);
  const auto a = r.table.row(0);
  EXPECT_EQ(a.id, "a1");
  // 2024-03-05T14:07:09Z = 19787 days × 86400 + 14·3600 + 7·60 + 9 = 1709647629 s.
  ASSERT_TRUE(a.time.has_value());
  EXPECT_EQ(a.time->time_since_epoch().count(), 1709647629);
  EXPECT_EQ(a.channel, channels::chat);
  EXPECT_EQ(a.agent, "ann");
  EXPECT_EQ(a.segment, "consumer");
  EXPECT_EQ(a.nps, 9);
  EXPECT_EQ(a.csat, 5);
  EXPECT_EQ(a.ces, 6);
  EXPECT_EQ(a.resolved, resolution::yes);
  EXPECT_EQ(a.weight, 1.5);
  EXPECT_EQ(a.why, "great");
  const auto b = r.table.row(1);
  EXPECT_EQ(b.channel, channels::phone);
  EXPECT_FALSE(b.time.has_value());
  EXPECT_FALSE(b.csat.has_value());
  EXPECT_EQ(b.weight, 1.0);
  EXPECT_EQ(b.resolved, resolution::no);
  EXPECT_TRUE(r.table.weighted());
  EXPECT_EQ(r.report.summary.rows_read, 2u);
  EXPECT_EQ(r.report.summary.accepted, 2u);
  EXPECT_EQ(r.report.summary.missing_by_field.at("csat"), 1u);
  EXPECT_EQ(r.report.summary.missing_by_field.at("timestamp"), 1u);
  EXPECT_EQ(r.report.summary.missing_by_field.at("nps"), 0u);
  EXPECT_EQ(r.report.summary.missing_by_field.at("why"), 1u);
  EXPECT_EQ(r.report.summary.missing_by_field.at("weight"), 1u);
  EXPECT_EQ(r.report.summary.missing_by_field.size(), 11u);
  expect_balanced(r.report.summary);
}

TEST(Csv, QuotedFieldsWithDelimitersQuotesAndNewlines) {
  const auto r = read(
      "nps,why,id\n"
      "10,\"fast, friendly\",q1\n"
      "9,\"she said \"\"no problem\"\"\",q2\n"
      "8,\"line one\nline two\",q3\n"
      "7,\"\",q4\n"
      "6,\"crlf\r\ninside\",q5\n"
      "x,\"\",q6\n");
  ASSERT_EQ(r.table.size(), 5u);
  EXPECT_EQ(r.table.row(0).why, "fast, friendly");
  EXPECT_EQ(r.table.row(1).why, "she said \"no problem\"");
  EXPECT_EQ(r.table.row(2).why, "line one\nline two");
  EXPECT_EQ(r.table.row(2).id, "q3");
  EXPECT_EQ(r.table.row(3).why, "");
  EXPECT_EQ(r.table.row(4).why, "crlf\r\ninside");
  // Lines: header 1, q1 2, q2 3, q3 4–5, q4 6, q5 7–8, q6 9.
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(r.rejects[0].line, 9u);
  EXPECT_EQ(r.rejects[0].column, 1u);
  EXPECT_EQ(r.report.summary.missing_by_field.at("why"), 1u);
  expect_balanced(r.report.summary);
}

TEST(Csv, CrlfBomEmptyLinesAndNoFinalNewline) {
  const std::string text =
      "\xEF\xBB\xBFnps,csat\r\n"
      "\r\n"
      "10,5\r\n"
      "\n"
      "\n"
      "0,1\r\n"
      "7,";  // no final line break; empty csat
  const auto r = read(text);
  EXPECT_EQ(r.report.header, (std::vector<std::string>{"nps", "csat"}));  // BOM not part of the name
  ASSERT_EQ(r.table.size(), 3u);
  EXPECT_EQ(r.table.row(0).nps, 10);
  EXPECT_EQ(r.table.row(0).csat, 5);  // no stray '\r' in the last field
  EXPECT_EQ(r.table.row(1).nps, 0);
  EXPECT_EQ(r.table.row(2).nps, 7);
  EXPECT_FALSE(r.table.row(2).csat.has_value());
  EXPECT_EQ(r.report.summary.empty_lines, 3u);
  EXPECT_EQ(r.report.summary.rows_read, 3u);
  expect_balanced(r.report.summary);

  // Lone CR line ends too, and line numbers stay right after empty lines.
  const auto m = read("nps\r\r11\r");
  ASSERT_EQ(m.rejects.size(), 1u);
  EXPECT_EQ(m.rejects[0].line, 3u);
  EXPECT_EQ(m.report.summary.empty_lines, 1u);
}

TEST(Csv, HeaderOnlyAndEmptyInput) {
  const auto r = read("nps,csat\n");
  EXPECT_EQ(r.table.size(), 0u);
  EXPECT_EQ(r.report.summary.rows_read, 0u);
  EXPECT_THROW((void)read(""), parse_error);
  EXPECT_THROW((void)read("\n\r\n"), parse_error);
}

TEST(Csv, EveryRejectReason) {
  ingest_options o;
  o.channels = channel_set::closed_of({"phone", "chat", "email"});
  const auto r = read(
      "id,timestamp,channel,nps,csat,resolved,weight\n"
      "ok1,2024-01-01,chat,9,5,yes,1\n"          // line 2: fine
      "b1,2024-01-01,chat,11,5,yes,1\n"          // 3: nps out of scale
      "b2,2024-01-01,chat,9,0,yes,1\n"           // 4: csat out of scale
      "b3,2024-01-01,chat,9,5,yes,-1\n"          // 5: negative weight
      "b4,2024-01-01,chat,9,5,yes,nan\n"         // 6: NaN weight
      "b5,2024-02-30,chat,9,5,yes,1\n"           // 7: impossible date
      "b6,2024-01-01,fax,9,5,yes,1\n"            // 8: channel not in the closed set
      "b7,2024-01-01,chat,9,5,maybe,1\n"         // 9: resolved flag
      "b8,2024-01-01,chat,7.5,5,yes,1\n"         // 10: decimal score
      "b9,2024-01-01,chat,\"7,5\",5,yes,1\n"     // 11: decimal-comma score
      "c1,2024-01-01,chat,abc,5,yes,1\n"         // 12: not a number
      "c2,2024-01-01,chat,9,5,yes\n"             // 13: too few fields
      "c3,2024-01-01,chat,9,5,yes,1,extra\n"     // 14: too many fields
      "c4,2024-01-01,chat,9,\"5\"x,yes,1\n"      // 15: text after a closing quote
      "c5,2024-01-01,chat,9,5,yes,heavy\n"       // 16: weight not a number
      "c6,2024-01-01,,9,5,yes,1\n"               // 17: empty channel, closed set without 'other'
      "c7,2024-01-01,chat,99999999999999999999,5,yes,1\n"  // 18: huge integer
      "ok2,2024-01-02,EMAIL,0,1,no,0\n"          // 19: fine (weight 0 is allowed)
      "c8,2024-01-01,chat,9,5,yes,\"1\n",        // 20: quote never closed
      o);
  ASSERT_EQ(r.report.summary.rows_read, 19u);
  EXPECT_EQ(r.report.summary.accepted, 2u);
  EXPECT_EQ(r.report.summary.rejected, 17u);
  expect_balanced(r.report.summary);
  ASSERT_EQ(r.rejects.size(), 17u);

  struct expected {
    std::uint64_t line, column;
    const char* field;
    const char* value;
    int id;
  };
  const std::vector<expected> want{
      {3, 4, "nps", "11", score_out_of_scale::code},
      {4, 5, "csat", "0", score_out_of_scale::code},
      {5, 7, "weight", "-1", invalid_weight::code},
      {6, 7, "weight", "nan", invalid_weight::code},
      {7, 2, "timestamp", "2024-02-30", malformed_timestamp::code},
      {8, 3, "channel", "fax", unknown_channel::code},
      {9, 6, "resolved", "maybe", invalid_value::code},
      {10, 4, "nps", "7.5", invalid_value::code},
      {11, 4, "nps", "7,5", invalid_value::code},
      {12, 4, "nps", "abc", parse_error::code},
      {13, 0, "", "c2,2024-01-01,chat,9,5,yes", parse_error::code},
      {14, 0, "", "c3,2024-01-01,chat,9,5,yes,1,extra", parse_error::code},
      {15, 5, "csat", "5x", parse_error::code},
      {16, 7, "weight", "heavy", parse_error::code},
      {17, 3, "channel", "", unknown_channel::code},
      {18, 4, "nps", "99999999999999999999", score_out_of_scale::code},
      {20, 7, "weight", "c8,2024-01-01,chat,9,5,yes,\"1", parse_error::code},  // the line the quote opens on
  };
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("reject " + std::to_string(i));
    EXPECT_EQ(r.rejects[i].line, want[i].line);
    EXPECT_EQ(r.rejects[i].column, want[i].column);
    EXPECT_EQ(r.rejects[i].field, want[i].field);
    EXPECT_EQ(r.rejects[i].value, want[i].value);
    EXPECT_EQ(r.rejects[i].error_id, want[i].id);
    EXPECT_FALSE(r.rejects[i].reason.empty());
  }
  EXPECT_EQ(r.rejects[7].reason,
            "nps score '7.5' is not a whole point of the NPS scale 0..10 (scores are integers, or written with a "
            "decimal point and zeros: 9, 9.0)");
  EXPECT_EQ(r.rejects[16].reason, "the quote opened at line 20, column 28 (field 7) never closes: the input ends inside "
                                  "it; reading goes on at line 21");
  EXPECT_EQ(r.rejects[9].reason, "score 'abc' is not a number");
  EXPECT_EQ(r.rejects[10].reason, "the row has 6 fields, the header has 7");

  const std::map<std::string, std::uint64_t> by_reason{
      {"score_out_of_scale", 3}, {"invalid_weight", 2}, {"malformed_timestamp", 1},
      {"unknown_channel", 2},    {"invalid_value", 3},  {"parse_error", 6}};
  EXPECT_EQ(r.report.summary.rejected_by_reason, by_reason);

  // The accepted rows are intact and nothing of the rejected ones leaked in.
  ASSERT_EQ(r.table.size(), 2u);
  EXPECT_EQ(r.table.row(0).id, "ok1");
  EXPECT_EQ(r.table.row(1).id, "ok2");
  EXPECT_EQ(r.table.row(1).channel.value, 2);  // "EMAIL" → email, id 2 in the closed set
  EXPECT_EQ(r.table.row(1).weight, 0.0);
}

TEST(Csv, OpenChannelSetLearnsLabelsOfAcceptedRowsOnly) {
  const auto r = read("channel,nps\nkiosk,9\nfax,11\nkiosk,8\n");
  EXPECT_EQ(r.table.size(), 2u);
  EXPECT_TRUE(r.table.channel_labels().find("kiosk").has_value());
  EXPECT_FALSE(r.table.channel_labels().find("fax").has_value());  // its row was rejected
  EXPECT_EQ(r.table.row(0).channel, r.table.row(1).channel);
  // An empty channel is 'other'.
  const auto o = read("channel,nps\n,9\n");
  EXPECT_EQ(o.table.row(0).channel, channels::other);
  EXPECT_EQ(o.report.summary.missing_by_field.at("channel"), 1u);
}

TEST(Csv, StrictModeThrowsTheTypedErrorWithFileLineColumnField) {
  ingest_options o;
  o.errors = on_error::strict;
  const std::string text = "id,nps,csat\nr1,9,5\n\"r2\nsecond line\",11,5\n";
  try {
    (void)read(text, o);
    FAIL() << "no exception";
  } catch (const score_out_of_scale& e) {
    EXPECT_STREQ(e.what(),
                 "[cxm.score_out_of_scale.101] t.csv:3:2, field 'nps': score 11 is outside the NPS scale 0..10");
    EXPECT_EQ(e.where().file, "t.csv");
    EXPECT_EQ(e.where().line, 3u);
    EXPECT_EQ(e.where().column, 2u);
    EXPECT_EQ(e.where().field, "nps");
  }
  try {
    (void)read("nps,weight\n5,1\n5,-2\n", o);
    FAIL() << "no exception";
  } catch (const invalid_weight& e) {
    EXPECT_STREQ(e.what(), "[cxm.invalid_weight.102] t.csv:3:2, field 'weight': weight -2.000000 is negative");
  }
  try {
    (void)read("nps,weight\n5,1,3\n", o);
    FAIL() << "no exception";
  } catch (const parse_error& e) {
    EXPECT_STREQ(e.what(), "[cxm.parse_error.301] t.csv:2: the row has 3 fields, the header has 2");
  }
  EXPECT_NO_THROW((void)read("nps\n5\n\n6\n", o));
}

TEST(Csv, MissingScoreColumnIsAParseErrorListingTheColumns) {
  try {
    (void)read("id,channel,Weight\nr1,chat,1\n");
    FAIL() << "no exception";
  } catch (const parse_error& e) {
    EXPECT_STREQ(e.what(),
                 "[cxm.parse_error.301] t.csv:1: no score column: the header needs at least one of 'nps', 'csat', "
                 "'ces' (or an alias, e.g. 'ltr', 'satisfaction', 'effort'); columns found: 'id', 'channel', "
                 "'Weight'");
  }
  ingest_options o;
  o.required = {response_field::timestamp};
  try {
    (void)read("nps,channel\n9,chat\n", o);
    FAIL() << "no exception";
  } catch (const parse_error& e) {
    EXPECT_EQ(e.reason(),
              "required column 'timestamp' (field 'timestamp', or an alias such as 'date', 'datetime') is missing; "
              "columns found: 'nps', 'channel'");
    EXPECT_EQ(e.where().field, "timestamp");
  }
  EXPECT_THROW((void)read("nps,NPS\n1,2\n"), parse_error);  // one field, two columns
}

TEST(Csv, HeaderMappingRenamesAndIgnores) {
  ingest_options o;
  o.columns.nps = "Recommend";
  o.columns.channel = "Kanava";
  o.columns.why = "";  // never read
  const auto r = read(" recommend ,KANAVA,why,extra\n10,chat,text,x\n", o);
  ASSERT_EQ(r.table.size(), 1u);
  EXPECT_EQ(r.table.row(0).nps, 10);
  EXPECT_EQ(r.table.row(0).channel, channels::chat);
  EXPECT_EQ(r.table.row(0).why, "");
  EXPECT_EQ(r.report.ignored_columns, (std::vector<std::string>{"why", "extra"}));
  EXPECT_EQ(r.report.summary.missing_by_field.count("why"), 0u);

  ingest_options clash;
  clash.columns.csat = "nps";
  EXPECT_THROW((void)read("nps\n1\n", clash), invalid_argument);
}

TEST(Csv, DelimiterAndDecimalComma) {
  ingest_options o;
  o.delimiter = ';';
  o.decimal_point = ',';
  const auto r = read("nps;weight;why\n9;1,25;\"a; b\"\n3; 0,5 ;x\n", o);
  ASSERT_EQ(r.table.size(), 2u);
  EXPECT_EQ(r.table.row(0).weight, 1.25);
  EXPECT_EQ(r.table.row(0).why, "a; b");
  EXPECT_EQ(r.table.row(1).weight, 0.5);
  // With the default decimal point a comma in a weight is not a number.
  const auto d = read("nps,weight\n9,\"1,25\"\n");
  ASSERT_EQ(d.rejects.size(), 1u);
  EXPECT_EQ(d.rejects[0].error_id, parse_error::code);
  ingest_options bad;
  bad.delimiter = '"';
  EXPECT_THROW((void)read("nps\n1\n", bad), invalid_argument);
}

TEST(Csv, DefaultOptionsDetectTheDelimiterAndDecimalComma) {
  // ingest_options{} leaves both to detection: ';' (3 fields on every line
  // against 1 under ','), and ',' as decimal point since every weight reads
  // like 1,25 and none like 1.25.
  const auto r = read("nps;weight;why\n9;1,25;\"a, b\"\n3;0,5;x\n");
  ASSERT_EQ(r.table.size(), 2u);
  EXPECT_TRUE(r.rejects.empty());
  EXPECT_EQ(r.table.row(0).weight, 1.25);
  EXPECT_EQ(r.table.row(0).why, "a, b");
  EXPECT_EQ(r.table.row(1).weight, 0.5);
  EXPECT_EQ(r.report.header, (std::vector<std::string>{"nps", "weight", "why"}));
  // Aliases work here too: LTR is the NPS question.
  const auto a = read("Respondent ID,LTR\nx,10\n");
  ASSERT_EQ(a.table.size(), 1u);
  EXPECT_EQ(a.table.row(0).id, "x");
  EXPECT_EQ(a.table.row(0).nps, 10);
}

TEST(Csv, ConfigurableScalesApply) {
  ingest_options o;
  o.scales.csat = scale::custom(1, 7, 6, 2);
  const auto r = read("csat\n7\n8\n");
  EXPECT_EQ(r.report.summary.rejected, 2u);  // the default CSAT 1–5 has neither 7 nor 8
  const auto c = read("csat\n7\n8\n", o);
  EXPECT_EQ(c.report.summary.accepted, 1u);
  EXPECT_EQ(c.report.summary.rejected, 1u);
  EXPECT_EQ(c.rejects[0].value, "8");
}

TEST(Csv, BlanksAroundNumbersAndSigns) {
  const auto r = read("nps,weight\n +9 , 2 \n-0,+1.5e0\n");
  ASSERT_EQ(r.table.size(), 2u);
  EXPECT_EQ(r.table.row(0).nps, 9);
  EXPECT_EQ(r.table.row(0).weight, 2.0);
  EXPECT_EQ(r.table.row(1).nps, 0);
  EXPECT_EQ(r.table.row(1).weight, 1.5);
}

TEST(Csv, UnopenableFileIsAParseErrorNamingIt) {
  try {
    (void)read_responses(std::filesystem::path("/nonexistent/dir/x.csv"));
    FAIL() << "no exception";
  } catch (const parse_error& e) {
    EXPECT_EQ(e.where().file, "/nonexistent/dir/x.csv");
  }
}

// The bundled sample data (examples/data/responses.csv) reads without a
// single reject. The reference values below were computed with Python's csv
// module, independently of this reader:
//   /usr/bin/python3 -c 'import csv,collections; r=list(csv.DictReader(open("examples/data/responses.csv",
//     newline="",encoding="utf-8"))); print(len(r), collections.Counter(x["channel"] for x in r),
//     sum(x["csat"]=="" for x in r), sum(x["ces"]=="" for x in r), sum(x["why"]=="" for x in r),
//     sum(int(x["nps"]) for x in r), collections.Counter(x["resolved"] for x in r),
//     len(set(x["agent"] for x in r)), len(set(x["segment"] for x in r)),
//     round(sum(float(x["weight"]) for x in r),3))'
// printed: 12000 Counter({'phone': 4230, 'chat': 2943, 'email': 2404, 'web': 1823, 'face_to_face': 600})
//   1864 6072 8495 85507 Counter({'yes': 8087, 'no': 2977, 'unknown': 936}) 40 4 12598.18
TEST(Csv, BundledSampleReadsWithoutRejects) {
  const auto r = read_responses(std::filesystem::path(CXMETRICS_SAMPLE_CSV));
  EXPECT_TRUE(r.rejects.empty());
  EXPECT_EQ(r.report.summary.rows_read, 12000u);
  EXPECT_EQ(r.report.summary.accepted, 12000u);
  EXPECT_EQ(r.report.summary.empty_lines, 0u);
  EXPECT_TRUE(r.report.ignored_columns.empty());
  EXPECT_TRUE(r.table.weighted());
  const auto& t = r.table;
  ASSERT_EQ(t.size(), 12000u);

  std::map<std::string, std::uint64_t> per_channel;
  for (auto c : t.channel()) ++per_channel[t.channel_labels().name(channel_id{c})];
  const std::map<std::string, std::uint64_t> want_channels{
      {"phone", 4230}, {"chat", 2943}, {"email", 2404}, {"web", 1823}, {"face_to_face", 600}};
  EXPECT_EQ(per_channel, want_channels);

  EXPECT_EQ(r.report.summary.missing_by_field.at("csat"), 1864u);
  EXPECT_EQ(r.report.summary.missing_by_field.at("ces"), 6072u);
  EXPECT_EQ(r.report.summary.missing_by_field.at("why"), 8495u);
  EXPECT_EQ(r.report.summary.missing_by_field.at("nps"), 0u);
  EXPECT_EQ(r.report.summary.missing_by_field.at("timestamp"), 0u);

  std::uint64_t nps_sum = 0;
  for (auto v : t.nps()) nps_sum += v;
  EXPECT_EQ(nps_sum, 85507u);
  std::map<int, std::uint64_t> res;
  for (auto v : t.resolved()) ++res[v];
  EXPECT_EQ(res, (std::map<int, std::uint64_t>{{1, 8087}, {0, 2977}, {-1, 936}}));
  EXPECT_EQ(t.agents().size(), 41u);    // 40 agents + the empty string (id 0)
  EXPECT_EQ(t.segments().size(), 5u);   // 4 segments + the empty string
  double wsum = 0.0;
  for (auto w : t.weight()) wsum += w;
  EXPECT_NEAR(wsum, 12598.18, 1e-6);
  // Multi-line "why" texts come through whole: sum("\n" in x["why"] for x in r) printed 246.
  std::uint64_t multiline = 0;
  for (const auto& w : t.why()) multiline += w.find('\n') != std::string::npos ? 1 : 0;
  EXPECT_EQ(multiline, 246u);
}

}  // namespace
