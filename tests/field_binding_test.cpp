// Accumulators bound to a field (engine/metric_set.hpp, bound<A>): a bound
// CSAT over a declared column equals a plain CSAT over the same values moved
// into the csat column (a second method); metric_set's column and row paths
// and group_by's histogram path and row loop agree with counts taken by hand
// from the rows; a bound state refuses to merge with one bound to another
// field, to bind a field on another scale, to read a lone response for a
// declared field and to read an input whose field of that id has another
// name; its binary and JSON forms carry the field's name.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/engine/grouped.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/io/batch_view.hpp"
#include "cxmetrics/io/binary.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/io/json.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/rating.hpp"

namespace {

using namespace cxm;

using bound_rating = bound<rating_accumulator>;
using bound_csat = bound<csat_accumulator>;

static_assert(accumulator<bound_csat> && histogram_backed<bound_csat> && column_member<bound_csat>);

// q1, q2 on 1-5 (top 2: 4-5), q7 on 0-10.
schema survey_schema() {
  return schema_builder()
      .score("q1", scale::custom(1, 5, 4, 2))
      .score("q2", scale::custom(1, 5, 4, 2))
      .category("region")
      .score("q7", scale::custom(0, 10, 9, 6))
      .build();
}

// Reads CSV text into a table with the options' schema.
response_table table_of(const std::string& text, const ingest_options& o) {
  response_table t(schema_of(o));
  ingest_sink sink;
  sink.on_batch = [&](const response_batch& b) { b.append_to(t); };
  sink.on_reject = [](const ingest_reject& r) { ADD_FAILURE() << "reject: " << r.reason; };
  (void)stream_responses_csv_text(text, "t", o, sink);
  return t;
}

ingest_options with_schema(schema s) {
  ingest_options o;
  o.schema = std::move(s);
  return o;
}

TEST(FieldBinding, BoundCsatEqualsPlainCsatOnTheValuesMovedToCsat) {
  // The same answers, once in the declared column q1 and once in csat.
  const response_table declared =
      table_of("nps,q1\n9,4\n7,5\n3,\n10,2\n8,5\n",
               with_schema(schema_builder().score("q1", scale::custom(1, 5, 4, 2)).build()));
  const response_table moved = table_of("nps,csat\n9,4\n7,5\n3,\n10,2\n8,5\n", ingest_options{});

  metric_set<bound_csat> by_field(on_field(declared.schema(), "q1", csat_accumulator{}));
  by_field.add(columns_of(declared));
  metric_set<csat_accumulator> plain;
  plain.add(columns_of(moved));

  const csat_accumulator& got = by_field.get<0>().get();
  EXPECT_EQ(got, plain.get<0>());
  EXPECT_EQ(by_field.count(), 5u);
  EXPECT_EQ(got.count(), 4u);  // the empty q1 is missing
  // By hand: answers 4, 5, 2, 5; top-2 box (4-5) 3 of 4, mean 16/4 = 4.
  const auto r = by_field.get<0>().result();
  EXPECT_DOUBLE_EQ(r.satisfied.value(), 0.75);
  EXPECT_DOUBLE_EQ(r.mean.value(), 4.0);
  EXPECT_EQ(r, plain.get<0>().result());

  // The row path: each row of the table as a column_row.
  metric_set<bound_csat> rows(on_field(declared.schema(), "q1", csat_accumulator{}));
  const response_columns c = columns_of(declared);
  for (std::size_t i = 0; i < declared.size(); ++i) rows.add(column_row{declared.row(i), &c, i}, at_row(i));
  EXPECT_EQ(rows, by_field);
}

TEST(FieldBinding, DefaultIsTheUsualField) {
  const bound_csat b;
  EXPECT_EQ(b.field(), field_id(response_field::csat));
  EXPECT_EQ(b.field_name(), "csat");
  bound_csat acc;
  response r;
  r.csat = 5;
  acc.add(r);  // a lone response: the predefined field reads
  EXPECT_EQ(acc.count(), 1u);
  EXPECT_EQ(acc.counts().count(acc.scale_of().bin(5)), 1u);
}

// Rows over three channels with q1, q2 (and q1 missing at times), csat and a
// weight; fed by the histogram path and by the row loop.
struct generated {
  std::string csv;
  std::map<std::string, std::map<int, std::uint64_t>> q1;  // channel → score → rows, by hand
};

generated generate(bool weighted) {
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<int> point(1, 5), chan(0, 2), miss(0, 5);
  const char* channels[] = {"phone", "chat", "email"};
  generated g;
  g.csv = weighted ? "channel,csat,q1,q2,region,q7,weight\n" : "channel,csat,q1,q2,region,q7\n";
  for (int i = 0; i < 400; ++i) {
    const std::string ch = channels[chan(rng)];
    const int q1 = point(rng), q2 = point(rng), cs = point(rng);
    const bool q1_missing = miss(rng) == 0;
    g.csv += ch + "," + std::to_string(cs) + "," + (q1_missing ? "" : std::to_string(q1)) + "," + std::to_string(q2) +
             ",north,10";
    if (weighted) g.csv += "," + std::string(i % 3 == 0 ? "0.5" : "2");
    g.csv += "\n";
    if (!q1_missing) ++g.q1[ch][q1];
  }
  return g;
}

using ratings = metric_set<bound_rating, bound_rating, csat_accumulator>;
using by_channel = group_by<ratings, by_label>;

ratings make_ratings(const schema& s) {
  return ratings(on_field(s, "q1", rating_accumulator{}), on_field(s, "q2", rating_accumulator{}),
                 csat_accumulator{});
}

TEST(FieldBinding, HistogramPathAndRowLoopAgreeWithCountsByHand) {
  for (const bool weighted : {false, true}) {
    SCOPED_TRACE(weighted ? "weighted" : "unweighted");
    const generated g = generate(weighted);
    const response_table t = table_of(g.csv, with_schema(survey_schema()));
    by_channel fast(make_ratings(t.schema()), by_label{category::channel});
    by_channel slow(make_ratings(t.schema()), by_label{category::channel});
    fast.feed(t);
    feed_options rows;
    rows.path = feed_path::rows;
    slow.feed(t, rows);
    EXPECT_EQ(fast, slow);
    std::size_t seen = 0;
    for (const auto& [key, acc] : fast.groups()) {
      const ratings& s = acc.get();
      const auto& want = g.q1.at(std::get<0>(key));
      for (int p = 1; p <= 5; ++p) {
        const auto it = want.find(p);
        EXPECT_EQ(s.get<0>().counts().count(s.get<0>().scale_of().bin(p)), it == want.end() ? 0u : it->second) << std::get<0>(key) << " " << p;
      }
      EXPECT_EQ(s.get<0>().field_name(), "q1");
      EXPECT_EQ(s.get<1>().field_name(), "q2");
      EXPECT_EQ(s.get<0>().counts().weighted(), weighted);
      ++seen;
    }
    EXPECT_EQ(seen, 3u);
    // The whole table through metric_set's column path equals the groups merged.
    ratings all = make_ratings(t.schema());
    all.add(columns_of(t));
    ratings merged = make_ratings(t.schema());
    for (const auto& [key, acc] : fast.groups()) merged.merge(acc.get());
    EXPECT_EQ(all.get<0>().counts().raw_counts().size(), 5u);
    for (std::size_t b = 0; b < 5; ++b) EXPECT_EQ(all.get<0>().counts().count(b), merged.get<0>().counts().count(b));
    EXPECT_EQ(all.count(), merged.count());
  }
}

TEST(FieldBinding, MergeRefusesStatesOfAnotherField) {
  const schema s = survey_schema();
  bound_rating q1 = on_field(s, "q1", rating_accumulator{});
  bound_rating q2 = on_field(s, "q2", rating_accumulator{});
  q1.add_counts(score_counts(scale::custom(1, 5, 4, 2), {1, 0, 0, 0, 2}));
  const bound_rating before = q1;
  try {
    q1.merge(q2);
    FAIL() << "merged states bound to q1 and q2";
  } catch (const incompatible_merge& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'q1'"), std::string::npos) << what;
    EXPECT_NE(what.find("'q2'"), std::string::npos) << what;
  }
  EXPECT_EQ(q1, before);
  // In a metric_set: all-or-nothing.
  metric_set<bound_rating, bound_rating> a(q1, q2), b(q2, q1);
  const auto a_before = a;
  EXPECT_THROW(a.merge(b), incompatible_merge);
  EXPECT_EQ(a, a_before);
  q1.merge(before);  // the same field merges
  EXPECT_EQ(q1.count(), 6u);
}

TEST(FieldBinding, ScaleAndKindOfTheFieldAreChecked) {
  const schema s = survey_schema();
  try {
    (void)on_field(s, "q7", csat_accumulator{});
    FAIL() << "bound a CSAT to a 0..10 field";
  } catch (const invalid_argument& e) {
    EXPECT_EQ(e.where().field, "q7");
    EXPECT_NE(std::string(e.what()).find("custom scale 0..10"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)on_field(s, "region", rating_accumulator{}), invalid_argument);
  EXPECT_THROW((void)on_field(s, "no_such", rating_accumulator{}), invalid_argument);
  EXPECT_THROW((void)on_field(s, response_field::nps, csat_accumulator{}), invalid_argument);
  // Cut points may differ: a top-1 CSAT reads a field declared 1-5.
  const bound_csat top1 = on_field(s, "q1", csat_accumulator(scale::csat(1)));
  EXPECT_EQ(top1.scale_of(), scale::csat(1));
  // A 0..10 rating reads q7.
  EXPECT_NO_THROW((void)on_field(s, "q7", rating_accumulator(scale::custom(0, 10, 9, 6))));
}

TEST(FieldBinding, DeclaredFieldNeedsItsColumnAndItsName) {
  const schema s = survey_schema();
  bound_rating q1 = on_field(s, "q1", rating_accumulator{});
  response r;
  r.csat = 4;
  EXPECT_THROW(q1.add(r), invalid_argument);  // a lone response holds no q1
  EXPECT_TRUE(q1.empty());

  // A table whose field 11 is q2: the state bound in survey_schema() refuses it.
  const schema other = schema_builder().score("q2", scale::custom(1, 5, 4, 2)).build();
  const response_table t = table_of("q2\n4\n", with_schema(other));
  metric_set<bound_rating> set(q1);
  try {
    set.add(columns_of(t));
    FAIL() << "read q2's column for q1";
  } catch (const invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("field 11 of the input is 'q2'"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(set.empty());

  // A bad score in a bound column names the field and the row.
  const schema wide = schema_builder().score("q1", scale::custom(0, 10, 9, 6)).build();
  const response_table bad = table_of("q1\n3\n9\n", with_schema(wide));
  bound_rating narrow(field_id(std::size_t{11}), "q1", rating_accumulator{});
  metric_set<bound_rating> one(narrow);
  try {
    one.add(columns_of(bad));
    FAIL() << "counted 9 on 1..5";
  } catch (const score_out_of_scale& e) {
    EXPECT_EQ(e.where().field, "q1");
    EXPECT_EQ(e.where().row, 1u);
  }
}

TEST(FieldBinding, SerializedFormsCarryTheFieldName) {
  const schema s = survey_schema();
  bound_rating q2 = on_field(s, "q2", rating_accumulator{});
  q2.add_counts(score_counts(scale::custom(1, 5, 4, 2), {0, 1, 0, 3, 1}));
  const auto bytes = serialize(q2);
  const bound_rating back = deserialize<bound_rating>(bytes);
  EXPECT_EQ(back, q2);
  EXPECT_EQ(back.field(), *s.find("q2"));
  EXPECT_EQ(back.field_name(), "q2");
  const nlohmann::json j = q2;
  EXPECT_EQ(j.at("field"), "q2");
  EXPECT_EQ(j.at("field_id"), 12);
  EXPECT_EQ(j.get<bound_rating>(), q2);
  bound_rating q1 = on_field(s, "q1", rating_accumulator{});
  EXPECT_THROW(q1.merge(back), incompatible_merge);

  nlohmann::json renamed = j;
  renamed["field"] = "";
  EXPECT_THROW((void)renamed.get<bound_rating>(), serialization_error);
  nlohmann::json predefined = j;
  predefined["field_id"] = 6;  // csat's id with the name q2
  EXPECT_THROW((void)predefined.get<bound_rating>(), serialization_error);
}

}  // namespace
