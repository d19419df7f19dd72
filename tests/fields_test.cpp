// Declared fields (core/schema.hpp) read from CSV, JSON Lines and SPSS .sav:
// the rules of each kind with their rejects (naming the declared field),
// header matching by name, missing counts, the same values whatever the
// format, thread count or chunk size, and category ids that agree across
// reads that share their dictionaries.
//
// Expected values are written by hand from the input texts; Unix times from
//   /usr/bin/python3 -c "from datetime import datetime; print(int(datetime.fromisoformat(
//       '2024-03-05T14:07:09+00:00').timestamp()))"            → 1709647629
//   (2024-03-06 → 1709683200, 2024-03-31T23:00:00Z → 1711926000)
// and the SPSS epoch (seconds from 1582-10-14 to 1970-01-01) from
//   /usr/bin/python3 -c "from datetime import date; print((date(1970,1,1)-date(1582,10,14)).days)"  → 141428
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/io/jsonl.hpp"
#include "cxmetrics/io/readstat.hpp"

#ifdef CXMETRICS_TEST_READSTAT
#include <readstat.h>
#endif

namespace {

using namespace cxm;

// q1: a rating 1–5; region: a category; spend: a number; callback: a flag;
// closed_at: a time; note: text; customer: an id; alt_w: a second weight.
schema survey_schema() {
  return schema_builder()
      .score("q1", scale::custom(1, 5, 4, 2))
      .category("region")
      .numeric("spend")
      .flag("callback", flag_vocabulary{{"yes", "ja"}, {"no", "nein"}, {"?"}})
      .time("closed_at")
      .text("note")
      .id("customer")
      .weight("alt_w")
      .build();
}

ingest_options survey_options() {
  ingest_options o;
  o.schema = survey_schema();
  return o;
}

// The declared columns of a batch, row by row, as text.
std::string declared_row(const response_batch& b, std::size_t i) {
  const schema& s = b.schema();
  std::ostringstream out;
  out << b.line()[i];
  for (std::size_t k = predefined_field_count; k < s.size(); ++k) {
    const field_id f(k);
    out << ' ' << s[f].name << '=';
    switch (s[f].kind) {
      case field_kind::score: out << int(b.scores(f)[i]); break;
      case field_kind::flag: out << int(b.flags(f)[i]); break;
      case field_kind::time: out << b.times(f)[i]; break;
      case field_kind::category: out << b.categories(f)[i] << ':' << b.label(f, b.categories(f)[i]); break;
      case field_kind::numeric:
      case field_kind::weight: {
        char w[40];
        std::snprintf(w, sizeof w, "%g", b.numbers(f)[i]);
        out << w;
        break;
      }
      case field_kind::text:
      case field_kind::id: out << '"' << b.text(f, i) << '"'; break;
    }
  }
  return out.str();
}

struct result {
  std::vector<std::string> rows;
  std::vector<ingest_reject> rejects;
  ingest_report report;
  std::string canon() const {
    std::string s;
    for (const auto& r : rows) s += r + '\n';
    for (const auto& r : rejects) s += "R " + std::to_string(r.line) + ' ' + r.field + ' ' + std::string(to_string(r.cause)) + '\n';
    for (const auto& [k, n] : report.summary.missing_by_field) s += k + '=' + std::to_string(n) + ' ';
    return s;
  }
};

enum class fmt { csv, jsonl };

result read(fmt f, std::string_view text, const ingest_options& o) {
  result r;
  ingest_sink sink;
  sink.on_batch = [&](const response_batch& b) {
    for (std::size_t i = 0; i < b.size(); ++i) r.rows.push_back(declared_row(b, i));
  };
  sink.on_reject = [&](const ingest_reject& x) { r.rejects.push_back(x); };
  r.report = f == fmt::csv ? stream_responses_csv_text(text, "t", o, sink) : stream_responses_jsonl_text(text, "t", o, sink);
  return r;
}

const ingest_reject* reject_of_line(const result& r, std::uint64_t line) {
  for (const auto& x : r.rejects) {
    if (x.line == line) return &x;
  }
  return nullptr;
}

constexpr std::string_view kCsv =
    "id,nps,Q1,Region,spend,callback,closed_at,note,customer,alt_w\n"
    "r1,9,4,North,12.50,yes,2024-03-05T14:07:09Z,fine,C1,0.5\n"        // line 2
    "r2,7,,South,,,,,,\n"                                              // 3: every declared field missing
    "r3,10, 5 ,north,-3,JA,2024-03-06,\"a, b\",C3,2\n"                 // 4
    "r4,8,6,North,1,yes,2024-03-06,x,C4,1\n"                           // 5: q1 6 is outside 1..5
    "r5,8,4.5,North,1,yes,2024-03-06,x,C5,1\n"                         // 6: q1 not a whole point
    "r6,8,4,North,abc,yes,2024-03-06,x,C6,1\n"                         // 7: spend is not a number
    "r7,8,4,North,1,maybe,2024-03-06,x,C7,1\n"                         // 8: callback not in its vocabulary
    "r8,8,4,North,1,no,2024-13-06,x,C8,1\n"                            // 9: closed_at has no month 13
    "r9,8,4,North,1,no,2024-03-06,\xff,C9,1\n"                         // 10: note is not UTF-8
    "r10,8,4,North,1,no,2024-03-06,x,C10,-1\n"                         // 11: alt_w is negative
    "r11,8,3.0,South,1e3,?,2024-03-31T23:00:00Z,,C11,\n";              // 12

TEST(DeclaredFields, CsvReadsEveryKindWithItsRulesAndRejects) {
  const result r = read(fmt::csv, kCsv, survey_options());
  ASSERT_EQ(r.rows.size(), 4U) << r.canon();
  EXPECT_EQ(r.rows[0],
            "2 q1=4 region=1:North spend=12.5 callback=1 closed_at=1709647629 note=\"fine\" customer=\"C1\" alt_w=0.5");
  EXPECT_EQ(r.rows[1],
            "3 q1=255 region=2:South spend=nan callback=-1 closed_at=-9223372036854775808 note=\"\" customer=\"\" alt_w=1");
  // Labels are kept as written ("north" is another label than "North").
  EXPECT_EQ(r.rows[2],
            "4 q1=5 region=3:north spend=-3 callback=1 closed_at=1709683200 note=\"a, b\" customer=\"C3\" alt_w=2");
  EXPECT_EQ(r.rows[3],
            "12 q1=3 region=2:South spend=1000 callback=-1 closed_at=1711926000 note=\"\" customer=\"C11\" alt_w=1");
  const struct {
    std::uint64_t line;
    const char* field;
    reject_cause cause;
    std::uint64_t column;
  } want[] = {
      {5, "q1", reject_cause::score_out_of_scale, 3},       {6, "q1", reject_cause::not_an_integer, 3},
      {7, "spend", reject_cause::not_a_number, 5},          {8, "callback", reject_cause::invalid_flag, 6},
      {9, "closed_at", reject_cause::malformed_timestamp, 7}, {10, "note", reject_cause::invalid_utf8, 8},
      {11, "alt_w", reject_cause::invalid_weight, 10},
  };
  ASSERT_EQ(r.rejects.size(), std::size(want));
  for (const auto& w : want) {
    const ingest_reject* x = reject_of_line(r, w.line);
    ASSERT_NE(x, nullptr) << "line " << w.line;
    EXPECT_EQ(x->field, w.field) << "line " << w.line;
    EXPECT_EQ(x->cause, w.cause) << "line " << w.line;
    EXPECT_EQ(x->column, w.column) << "line " << w.line;
  }
  EXPECT_NE(reject_of_line(r, 5)->reason.find("custom scale 1..5"), std::string::npos) << reject_of_line(r, 5)->reason;
  EXPECT_NE(reject_of_line(r, 8)->reason.find("callback flag 'maybe' is not yes (yes, ja)"), std::string::npos)
      << reject_of_line(r, 8)->reason;
  // Missing values of declared fields are counted as the predefined ones are.
  const auto& m = r.report.summary.missing_by_field;
  EXPECT_EQ(m.at("q1"), 1U);
  EXPECT_EQ(m.at("region"), 0U);  // every accepted row names a region
  EXPECT_EQ(m.at("spend"), 1U);
  EXPECT_EQ(m.at("callback"), 1U);  // "?" is unknown but written, so not missing
  EXPECT_EQ(m.at("closed_at"), 1U);
  EXPECT_EQ(m.at("note"), 2U);
  EXPECT_EQ(m.at("customer"), 1U);
  EXPECT_EQ(m.at("alt_w"), 2U);
  // The header's spelling of each declared column.
  const schema s = survey_schema();
  EXPECT_EQ(r.report.column_of[s.find("q1")->index()], "Q1");
  EXPECT_EQ(r.report.column_of[s.find("region")->index()], "Region");
  EXPECT_TRUE(r.report.has(*s.find("alt_w")));
  EXPECT_EQ(r.report.summary.rows_read, 11U);
  EXPECT_EQ(r.report.summary.rejected, 7U);
}

TEST(DeclaredFields, SameValuesForEveryThreadCountChunkSizeAndParser) {
  std::string text(kCsv);
  for (int k = 0; k < 200; ++k) text += "s" + std::to_string(k) + ",9," + std::to_string(1 + k % 5) + ",R" +
                                        std::to_string(k % 7) + ',' + std::to_string(k) + ".25,no,2024-03-06,t,C,1\n";
  const std::string want = read(fmt::csv, text, survey_options()).canon();
  for (const unsigned threads : {1U, 2U, 3U}) {
    for (const std::size_t chunk : {std::size_t{64}, std::size_t{1000}, std::size_t{1} << 20}) {
      for (const bool simd : {true, false}) {
        ingest_options o = survey_options();
        o.threads = threads;
        o.chunk_bytes = chunk;
        o.simd = simd;
        EXPECT_EQ(read(fmt::csv, text, o).canon(), want) << threads << " threads, chunk " << chunk << ", simd " << simd;
      }
    }
  }
}

TEST(DeclaredFields, JsonLinesReadsTheSameValuesAsCsv) {
  const std::string text =
      "{\"id\":\"r1\",\"nps\":9,\"q1\":4.0,\"REGION\":\"North\",\"spend\":12.5,\"callback\":true,"
      "\"closed_at\":\"2024-03-05T14:07:09Z\",\"note\":\"fine\",\"customer\":\"C1\",\"alt_w\":0.5}\n"
      "{\"id\":\"r2\",\"nps\":7,\"q1\":null,\"region\":\"South\"}\n"
      "{\"id\":\"r3\",\"nps\":10,\"q1\":\"5\",\"region\":\"north\",\"spend\":\"-3\",\"callback\":\"JA\","
      "\"closed_at\":1709683200,\"note\":\"a, b\",\"customer\":\"C3\",\"alt_w\":2}\n"
      "{\"id\":\"r4\",\"nps\":8,\"q1\":6}\n"
      "{\"id\":\"r5\",\"nps\":8,\"q1\":4.5}\n"
      "{\"id\":\"r6\",\"nps\":8,\"spend\":[1]}\n"
      "{\"id\":\"r7\",\"nps\":8,\"callback\":\"maybe\"}\n"
      "{\"id\":\"r8\",\"nps\":8,\"spend\":1e999}\n";
  const result r = read(fmt::jsonl, text, survey_options());
  ASSERT_EQ(r.rows.size(), 3U) << r.canon();
  EXPECT_EQ(r.rows[0],
            "1 q1=4 region=1:North spend=12.5 callback=1 closed_at=1709647629 note=\"fine\" customer=\"C1\" alt_w=0.5");
  // Absent keys and null are missing values.
  EXPECT_EQ(r.rows[1],
            "2 q1=255 region=2:South spend=nan callback=-1 closed_at=-9223372036854775808 note=\"\" customer=\"\" alt_w=1");
  EXPECT_EQ(r.rows[2],
            "3 q1=5 region=3:north spend=-3 callback=1 closed_at=1709683200 note=\"a, b\" customer=\"C3\" alt_w=2");
  ASSERT_EQ(r.rejects.size(), 5U);
  EXPECT_EQ(reject_of_line(r, 4)->cause, reject_cause::score_out_of_scale);
  EXPECT_EQ(reject_of_line(r, 5)->cause, reject_cause::not_an_integer);
  EXPECT_EQ(reject_of_line(r, 6)->cause, reject_cause::invalid_value);
  EXPECT_EQ(reject_of_line(r, 6)->field, "spend");
  EXPECT_EQ(reject_of_line(r, 7)->field, "callback");
  EXPECT_EQ(reject_of_line(r, 8)->cause, reject_cause::not_a_number);
  EXPECT_EQ(reject_of_line(r, 8)->field, "spend");
  EXPECT_EQ(r.report.summary.missing_by_field.at("q1"), 1U);  // the null of line 2
}

TEST(DeclaredFields, AColumnTheHeaderLacksIsAParseErrorWithTheClosestName) {
  ingest_options o;
  o.schema = schema_builder().score("q1", scale::custom(1, 5, 4, 2)).build();
  try {
    (void)read(fmt::csv, "id,nps,q_1,region\nr1,9,4,x\n", o);
    ADD_FAILURE() << "a declared column the header lacks";
  } catch (const parse_error& e) {
    EXPECT_EQ(e.where().field, "q1");
    EXPECT_NE(std::string(e.what()).find("required column 'q1' (declared field 'q1', a score) is missing; did you mean "
                                         "'q_1'?"),
              std::string::npos)
        << e.what();
  }
  // No alias reaches a declared field: "q1_score" is not "q1".
  EXPECT_THROW((void)read(fmt::jsonl, "{\"nps\":9,\"q1_score\":4}\n", o), parse_error);
  // A declared name that is another field's column is refused before reading.
  ingest_options clash = o;
  clash.columns.nps = "Q1";
  EXPECT_THROW((void)read(fmt::csv, "q1\n4\n", clash), invalid_argument);
}

TEST(DeclaredFields, StrictModeThrowsTheFirstRejectNamingTheField) {
  ingest_options o = survey_options();
  o.errors = on_error::strict;
  try {
    (void)read(fmt::csv, kCsv, o);
    ADD_FAILURE() << "strict mode read past a bad row";
  } catch (const score_out_of_scale& e) {
    EXPECT_EQ(e.where().field, "q1");
    EXPECT_EQ(e.where().line, 5U);
  }
}

TEST(DeclaredFields, SharedDictionariesGiveOneLabelOneIdAcrossReads) {
  const std::string a = "nps,region,channel\n9,North,chat\n8,South,sms\n7,North,phone\n";
  const std::string b = "nps,region,channel\n9,East,sms\n6,South,kiosk\n5,North,chat\n";
  ingest_options o;
  o.schema = schema_builder().category("region").build();
  const field_id region = *o.schema.find("region");
  auto ids = [&](const std::string& text, const ingest_options& opt) {
    std::vector<std::string> out;
    ingest_sink sink;
    sink.on_batch = [&](const response_batch& batch) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        out.push_back(std::to_string(batch.categories(region)[i]) + ':' + batch.label(region, batch.categories(region)[i]) +
                      ' ' + std::to_string(batch.channel()[i]) + ':' +
                      batch.label(response_field::channel, batch.channel()[i]));
      }
    };
    (void)stream_responses_csv_text(text, "t", opt, sink);
    return out;
  };
  // Each read on its own numbers labels in its order of first use.
  EXPECT_EQ(ids(b, o), (std::vector<std::string>{"1:East 6:sms", "2:South 7:kiosk", "3:North 1:chat"}));
  // Sharing one object, a label keeps its first id: North 1, South 2, East 3;
  // sms is channel 6 in both reads, kiosk the next new one.
  ingest_options shared = o;
  shared.dictionaries = std::make_shared<category_dictionaries>();
  EXPECT_EQ(ids(a, shared), (std::vector<std::string>{"1:North 1:chat", "2:South 6:sms", "1:North 0:phone"}));
  EXPECT_EQ(ids(b, shared), (std::vector<std::string>{"3:East 6:sms", "2:South 7:kiosk", "1:North 1:chat"}));
  EXPECT_EQ(shared.dictionaries->of("Region").names(), (std::vector<std::string>{"", "North", "South", "East"}));
  EXPECT_EQ(shared.dictionaries->channels().name(channel_id{7}), "kiosk");
}

TEST(DeclaredFields, TablesHoldTheDeclaredColumns) {
  const auto dir = std::filesystem::temp_directory_path() / "cxm_fields_test";
  std::filesystem::create_directories(dir);
  const auto write = [&](const char* name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  };
  const auto a = write("a.csv", "nps,q1,region\n9,4,North\n8,,South\n");
  const auto b = write("b.csv", "nps,q1,region\n7,2,East\n6,5,North\n");
  ingest_options o;
  o.schema = schema_builder().score("q1", scale::custom(1, 5, 4, 2)).category("region").build();
  o.dictionaries = std::make_shared<category_dictionaries>();
  const ingest_result ra = read_responses(a, o);
  const ingest_result rb = read_responses(b, o);
  const field_id q1 = *o.schema.find("q1");
  const field_id region = *o.schema.find("region");
  EXPECT_EQ(std::vector<std::uint8_t>(ra.table.scores(q1).begin(), ra.table.scores(q1).end()),
            (std::vector<std::uint8_t>{4, 255}));
  EXPECT_EQ(std::vector<std::uint8_t>(rb.table.scores(q1).begin(), rb.table.scores(q1).end()),
            (std::vector<std::uint8_t>{2, 5}));
  EXPECT_EQ(std::vector<std::uint32_t>(rb.table.categories(region).begin(), rb.table.categories(region).end()),
            (std::vector<std::uint32_t>{3, 1}));  // East is new; North keeps id 1 from the first file
  EXPECT_EQ(ra.table.dictionaries(), rb.table.dictionaries());
  EXPECT_EQ(rb.table.label(region, 1), "North");

  // Batches appended to a table with dictionaries of its own are relabelled:
  // the table knows East (region 1) and kiosk (channel 6) already; the batch
  // numbers North 1, East 2, sms 6, kiosk 7.
  auto d = std::make_shared<category_dictionaries>();
  (void)d->of("region").intern("East");
  response_table own(schema_of(o), d);
  response t;
  t.nps = 1;
  t.channel = own.channel_of("kiosk");
  own.append(t);
  ingest_options fresh = o;
  fresh.dictionaries = nullptr;
  ingest_sink sink;
  sink.on_batch = [&](const response_batch& batch) { batch.append_to(own); };
  (void)stream_responses_csv_text("nps,q1,region,channel\n9,4,North,sms\n8,3,East,kiosk\n", "t", fresh, sink);
  ASSERT_EQ(own.size(), 3U);
  EXPECT_EQ(own.categories(region)[1], 2U);
  EXPECT_EQ(own.label(region, 2), "North");
  EXPECT_EQ(own.categories(region)[2], 1U);
  EXPECT_EQ(own.channel()[1], 7U);
  EXPECT_EQ(own.label(response_field::channel, 7), "sms");
  EXPECT_EQ(own.channel()[2], 6U);
  EXPECT_EQ(own.scores(q1)[1], 4U);
  EXPECT_EQ(own.scores(q1)[0], 255U);  // appended as a response: declared fields missing
  // A table of other fields refuses the batch.
  response_table other;
  sink.on_batch = [&](const response_batch& batch) { batch.append_to(other); };
  EXPECT_THROW((void)stream_responses_csv_text("nps,q1,region\n9,4,East\n", "t", fresh, sink), invalid_argument);
  std::filesystem::remove_all(dir);
}

TEST(DeclaredFields, MappingFilesDeclareFields) {
  const ingest_options o = mapping_from_json(
      R"({"fields": [{"name": "q1", "kind": "score", "scale": "1-7/3"},
                     {"name": "callback", "kind": "flag", "vocabulary": {"yes": ["ja"], "no": ["nein"]}},
                     {"name": "region", "kind": "category"}]})");
  ASSERT_EQ(o.schema.declared().size(), 3U);
  EXPECT_EQ(o.schema.scale_of(*o.schema.find("q1")), scale::custom(1, 7, 5, 3));
  EXPECT_EQ(o.schema[*o.schema.find("callback")].vocabulary.yes, std::vector<std::string>{"ja"});
  EXPECT_EQ(o.schema[*o.schema.find("callback")].vocabulary.unknown, flag_vocabulary{}.unknown);  // not given: default
  // Fields add to those of the base options.
  ingest_options base;
  base.schema = schema_builder().numeric("spend").build();
  EXPECT_EQ(mapping_from_json(R"({"fields": [{"name": "q2", "kind": "text"}]})", base).schema.size(), 13U);
  // Every mistake names its key.
  const struct {
    const char* json;
    const char* key;
  } bad[] = {
      {R"({"fields": {"name": "q1"}})", "mapping.fields"},
      {R"({"fields": [{"name": "q1", "kind": "colour"}]})", "mapping.fields[0].kind"},
      {R"({"fields": [{"name": "q1"}]})", "mapping.fields[0]"},
      {R"({"fields": [{"name": "q1", "kind": "score"}]})", "mapping.fields[0]"},
      {R"({"fields": [{"name": "q1", "kind": "score", "scale": "9-1"}]})", "mapping.fields[0].scale"},
      {R"({"fields": [{"name": "q1", "kind": "numeric", "scale": "1-5"}]})", "mapping.fields[0]"},
      {R"({"fields": [{"name": "q1", "kind": "text", "vocabulary": {}}]})", "mapping.fields[0].vocabulary"},
      {R"({"fields": [{"name": "c", "kind": "flag", "vocabulary": {"maybe": []}}]})", "mapping.fields[0].vocabulary.maybe"},
      {R"({"fields": [{"name": "q1", "kind": "text", "size": 3}]})", "mapping.fields[0].size"},
      {R"({"fields": [{"name": "q1", "kind": "text"}, {"name": "Q1", "kind": "numeric"}]})", "mapping.fields[1]"},
      {R"({"fields": [{"name": "spend", "kind": "text"}]})", "mapping.fields[0]"},  // in the base already
  };
  for (const auto& b : bad) {
    try {
      (void)mapping_from_json(b.json, base);
      ADD_FAILURE() << b.json;
    } catch (const invalid_argument& e) {
      EXPECT_EQ(e.where().field, b.key) << b.json << ": " << e.what();
    }
  }
}

#ifdef CXMETRICS_TEST_READSTAT
ssize_t write_to_file(const void* data, size_t len, void* ctx) {
  return static_cast<ssize_t>(std::fwrite(data, 1, len, static_cast<std::FILE*>(ctx)));
}

TEST(DeclaredFields, SavFilesReadDeclaredVariables) {
  const auto path = std::filesystem::temp_directory_path() / "cxm_fields_test.sav";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  readstat_writer_t* w = readstat_writer_init();
  readstat_set_data_writer(w, &write_to_file);
  readstat_label_set_t* regions = readstat_add_label_set(w, READSTAT_TYPE_DOUBLE, "regions");
  readstat_label_double_value(regions, 1, "North");
  readstat_label_double_value(regions, 2, "South");
  readstat_variable_t* v_nps = readstat_add_variable(w, "nps", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_t* v_q1 = readstat_add_variable(w, "Q1", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_add_missing_double_value(v_q1, 99);
  readstat_variable_t* v_region = readstat_add_variable(w, "region", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_set_label_set(v_region, regions);
  readstat_variable_t* v_spend = readstat_add_variable(w, "spend", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_t* v_cb = readstat_add_variable(w, "callback", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_t* v_closed = readstat_add_variable(w, "closed_at", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_set_format(v_closed, "DATETIME20");
  readstat_variable_t* v_note = readstat_add_variable(w, "note", READSTAT_TYPE_STRING, 16);
  struct row {
    double nps, q1, region, spend, callback, closed;  // closed: Unix seconds
    const char* note;
  };
  const row rows[] = {
      {9, 4, 1, 12.5, 1, 1709647629, "fine"},
      {7, 99, 2, 3, 0, 1709683200, ""},  // q1 99: user-missing
      {8, 9, 1, 1, 1, 1709683200, "x"},  // q1 9 is outside 1..5
      {8, 5, 3, 2, 2, 1709683200, "y"},  // callback 2 is no token; region 3 has no label
  };
  ASSERT_EQ(readstat_begin_writing_sav(w, f, static_cast<long>(std::size(rows))), READSTAT_OK);
  for (const auto& r : rows) {
    readstat_begin_row(w);
    readstat_insert_double_value(w, v_nps, r.nps);
    readstat_insert_double_value(w, v_q1, r.q1);
    readstat_insert_double_value(w, v_region, r.region);
    readstat_insert_double_value(w, v_spend, r.spend);
    readstat_insert_double_value(w, v_cb, r.callback);
    readstat_insert_double_value(w, v_closed, r.closed + 141428.0 * 86400.0);
    readstat_insert_string_value(w, v_note, r.note);
    readstat_end_row(w);
  }
  readstat_end_writing(w);
  readstat_writer_free(w);
  std::fclose(f);

  ingest_options o;
  o.schema = schema_builder()
                 .score("q1", scale::custom(1, 5, 4, 2))
                 .category("region")
                 .numeric("spend")
                 .flag("callback")
                 .time("closed_at")
                 .text("note")
                 .build();
  result r;
  ingest_sink sink;
  sink.on_batch = [&](const response_batch& b) {
    for (std::size_t i = 0; i < b.size(); ++i) r.rows.push_back(declared_row(b, i));
  };
  sink.on_reject = [&](const ingest_reject& x) { r.rejects.push_back(x); };
  r.report = stream_responses_readstat(path, o, sink);
  ASSERT_EQ(r.rows.size(), 2U) << r.canon();
  // A value label is the category's label; a date-time is converted to Unix seconds.
  EXPECT_EQ(r.rows[0], "1 q1=4 region=1:North spend=12.5 callback=1 closed_at=1709647629 note=\"fine\"");
  EXPECT_EQ(r.rows[1], "2 q1=255 region=2:South spend=3 callback=0 closed_at=1709683200 note=\"\"");
  ASSERT_EQ(r.rejects.size(), 2U);
  EXPECT_EQ(r.rejects[0].field, "q1");
  EXPECT_EQ(r.rejects[0].cause, reject_cause::score_out_of_scale);
  EXPECT_EQ(r.rejects[0].column, 2U);
  EXPECT_EQ(r.rejects[1].field, "callback");
  EXPECT_EQ(r.rejects[1].cause, reject_cause::invalid_flag);
  EXPECT_EQ(r.report.summary.missing_by_field.at("q1"), 1U);
  EXPECT_EQ(r.report.column_of[o.schema.find("q1")->index()], "Q1");
  std::filesystem::remove(path);
}
#endif

}  // namespace
