// response_table: round trip, validation with the strong guarantee, dictionaries.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "cxmetrics/core/response_table.hpp"

namespace {

using namespace cxm;

response make(std::string id, std::optional<int> nps, std::optional<int> csat, std::optional<int> ces,
              channel_id channel, std::string segment, std::string agent, double weight, resolution resolved,
              std::string why, std::optional<std::int64_t> unix_seconds) {
  response r;
  r.id = std::move(id);
  r.nps = nps;
  r.csat = csat;
  r.ces = ces;
  r.channel = channel;
  r.segment = std::move(segment);
  r.agent = std::move(agent);
  r.weight = weight;
  r.resolved = resolved;
  r.why = std::move(why);
  if (unix_seconds) r.time = timestamp{std::chrono::seconds{*unix_seconds}};
  return r;
}

std::vector<response> sample() {
  return {
      make("r1", 10, 5, 7, channels::chat, "consumer", "ann", 1.0, resolution::yes, "quick, \"friendly\"", 1704067200),
      make("r2", 0, std::nullopt, std::nullopt, channels::email, "enterprise", "bob", 0.5, resolution::no, "", std::nullopt),
      make("", std::nullopt, 1, 1, channels::phone, "", "", 2.0, resolution::unknown, "multi\nline", -86400),
      make("r4", 7, 3, std::nullopt, channels::chat, "consumer", "ann", 0.0, resolution::yes, "", 0),
  };
}

TEST(ResponseTable, RoundTripEqualsAppended) {
  response_table t;
  const auto rows = sample();
  for (const auto& r : rows) t.append(r);
  ASSERT_EQ(t.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(t.row(i), rows[i]) << "row " << i;
  EXPECT_THROW((void)t.row(rows.size()), invalid_argument);
}

TEST(ResponseTable, ColumnsHoldValuesAndSentinels) {
  response_table t;
  for (const auto& r : sample()) t.append(r);
  const std::vector<std::uint8_t> nps{10, 0, 255, 7};
  const std::vector<std::uint8_t> csat{5, 255, 1, 3};
  const std::vector<std::uint8_t> ces{7, 255, 1, 255};
  EXPECT_EQ(std::vector<std::uint8_t>(t.nps().begin(), t.nps().end()), nps);
  EXPECT_EQ(std::vector<std::uint8_t>(t.csat().begin(), t.csat().end()), csat);
  EXPECT_EQ(std::vector<std::uint8_t>(t.ces().begin(), t.ces().end()), ces);
  EXPECT_EQ(response_table::missing_score, 255);
  // 2024-01-01T00:00:00Z is 1704067200 s after the epoch (19723 days × 86400).
  const std::vector<std::int64_t> time{1704067200, response_table::missing_time, -86400, 0};
  EXPECT_EQ(std::vector<std::int64_t>(t.time().begin(), t.time().end()), time);
  const std::vector<std::uint16_t> ch{1, 2, 0, 1};
  EXPECT_EQ(std::vector<std::uint16_t>(t.channel().begin(), t.channel().end()), ch);
  const std::vector<std::int8_t> res{1, 0, -1, 1};
  EXPECT_EQ(std::vector<std::int8_t>(t.resolved().begin(), t.resolved().end()), res);
  const std::vector<double> w{1.0, 0.5, 2.0, 0.0};
  EXPECT_EQ(std::vector<double>(t.weight().begin(), t.weight().end()), w);
  EXPECT_TRUE(t.weighted());
  EXPECT_EQ(t.why()[0], "quick, \"friendly\"");
  EXPECT_EQ(t.id()[2], "");
}

TEST(ResponseTable, WeightFlag) {
  response_table t;
  response r;
  r.nps = 9;
  t.append(r);
  EXPECT_FALSE(t.weighted());  // every weight is 1
  EXPECT_EQ(t.weight()[0], 1.0);
  t.mark_weighted();
  EXPECT_TRUE(t.weighted());
}

TEST(ResponseTable, DictionariesInternInOrderOfFirstSight) {
  response_table t;
  for (const auto& r : sample()) t.append(r);
  // Segments seen: consumer, enterprise, "" (already id 0), consumer.
  ASSERT_EQ(t.segments().size(), 3u);
  EXPECT_EQ(t.segments().name(0), "");
  EXPECT_EQ(t.segments().name(1), "consumer");
  EXPECT_EQ(t.segments().name(2), "enterprise");
  EXPECT_EQ(t.segments().find("enterprise"), 2u);
  EXPECT_FALSE(t.segments().find("smb").has_value());
  const std::vector<std::uint32_t> seg{1, 2, 0, 1};
  EXPECT_EQ(std::vector<std::uint32_t>(t.segment().begin(), t.segment().end()), seg);
  const std::vector<std::uint32_t> ag{1, 2, 0, 1};
  EXPECT_EQ(std::vector<std::uint32_t>(t.agent().begin(), t.agent().end()), ag);
  EXPECT_EQ(t.agents().names(), (std::vector<std::string>{"", "ann", "bob"}));
  EXPECT_THROW((void)t.agents().name(3), invalid_argument);
}

// Snapshot of everything observable, to show a failed append changed nothing.
struct snapshot {
  std::size_t size, segs, agents, channels;
  bool weighted;
  friend bool operator==(const snapshot&, const snapshot&) = default;
};
snapshot snap(const response_table& t) {
  return {t.size(), t.segments().size(), t.agents().size(), t.channel_labels().size(), t.weighted()};
}

TEST(ResponseTable, ValidationThrowsTypedErrorAndLeavesTableUnchanged) {
  response_table t;
  t.append(sample()[0]);
  const auto before = snap(t);

  auto bad = make("x", 11, 3, 2, channels::chat, "new-seg", "new-agent", 3.0, resolution::yes, "w", 5);
  try {
    t.append(bad);
    FAIL() << "no exception";
  } catch (const score_out_of_scale& e) {
    EXPECT_STREQ(e.what(), "[cxm.score_out_of_scale.101] row 1, field 'nps': score 11 is outside the NPS scale 0..10");
  }
  EXPECT_EQ(snap(t), before);
  EXPECT_FALSE(t.segments().find("new-seg").has_value());

  bad.nps = 9;
  bad.csat = 0;
  EXPECT_THROW(t.append(bad), score_out_of_scale);
  bad.csat = 5;
  bad.ces = 8;
  EXPECT_THROW(t.append(bad), score_out_of_scale);
  bad.ces = 7;
  bad.weight = std::numeric_limits<double>::quiet_NaN();
  try {
    t.append(bad);
    FAIL() << "no exception";
  } catch (const invalid_weight& e) {
    EXPECT_EQ(e.where().row, 1u);
    EXPECT_EQ(e.where().field, "weight");
  }
  bad.weight = -0.5;
  EXPECT_THROW(t.append(bad), invalid_weight);
  bad.weight = std::numeric_limits<double>::infinity();
  EXPECT_THROW(t.append(bad), invalid_weight);
  bad.weight = 3.0;
  bad.channel = channel_id{6};  // the default open set has ids 0..5
  try {
    t.append(bad);
    FAIL() << "no exception";
  } catch (const unknown_channel& e) {
    EXPECT_EQ(e.where().field, "channel");
  }
  bad.channel = channels::web;
  bad.time = timestamp{std::chrono::seconds{response_table::missing_time}};
  EXPECT_THROW(t.append(bad), invalid_value);
  bad.time.reset();
  bad.resolved = static_cast<resolution>(4);
  EXPECT_THROW(t.append(bad), invalid_value);
  EXPECT_EQ(snap(t), before);
  EXPECT_EQ(t.row(0), sample()[0]);

  bad.resolved = resolution::no;
  t.append(bad);  // now valid
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.row(1), bad);
  EXPECT_EQ(t.segments().find("new-seg"), 2u);
}

TEST(ResponseTable, ConfigurableScales) {
  table_scales s;
  s.csat = scale::csat(1);                 // top-1-box
  s.nps = scale::custom(1, 10, 9, 6);      // a 1–10 recommend scale
  response_table t(s);
  EXPECT_EQ(t.csat_scale().high_min(), 5);
  response r;
  r.nps = 0;
  EXPECT_THROW(t.append(r), score_out_of_scale);  // 0 is not on 1..10
  r.nps = 10;
  t.append(r);
  EXPECT_EQ(t.nps()[0], 10);

  table_scales wide;
  wide.nps = scale::custom(0, 255, 200, 50);  // 255 is the missing marker
  EXPECT_THROW(response_table{wide}, invalid_argument);
  table_scales negative;
  negative.ces = scale::custom(-3, 3, 1, -1);
  EXPECT_THROW(response_table{negative}, invalid_argument);
}

TEST(ResponseTable, ClosedChannelSet) {
  response_table t(table_scales{}, channel_set::closed_of({"store", "app"}));
  response r;
  r.nps = 5;
  r.channel = channel_id{1};
  t.append(r);
  EXPECT_EQ(t.channel_labels().name(channel_id{t.channel()[0]}), "app");
  r.channel = channels::other;  // id 5: not in a set of two
  EXPECT_THROW(t.append(r), unknown_channel);
  EXPECT_THROW((void)t.channel_of("phone"), unknown_channel);
  EXPECT_EQ(t.channel_of("Store").value, 0);
  EXPECT_EQ(t.size(), 1u);
}

TEST(ResponseTable, OpenChannelSetLearnsLabels) {
  response_table t;
  const auto kiosk = t.channel_of("Kiosk");
  EXPECT_EQ(kiosk.value, channels::builtin_count);  // first id after the built-ins
  response r;
  r.nps = 8;
  r.channel = kiosk;
  t.append(r);
  EXPECT_EQ(t.channel_labels().name(t.row(0).channel), "kiosk");
}

}  // namespace

namespace {

TEST(ResponseTable, ColumnsByFieldIdForDeclaredFields) {
  const schema s = schema_builder()
                       .score("q1", scale::custom(1, 5, 4, 2))
                       .category("region")
                       .numeric("spend")
                       .weight("alt_weight")
                       .flag("callback")
                       .time("closed_at")
                       .text("note")
                       .build();
  response_table t(s);
  for (const auto& r : sample()) t.append(r);
  const field_id q1 = *s.find("q1");
  const field_id region = *s.find("region");
  // A response holds the predefined fields only: declared columns get their missing value.
  EXPECT_EQ(std::vector<std::uint8_t>(t.scores(q1).begin(), t.scores(q1).end()), std::vector<std::uint8_t>(4, 255));
  EXPECT_EQ(std::vector<std::uint32_t>(t.categories(region).begin(), t.categories(region).end()),
            std::vector<std::uint32_t>(4, 0));
  EXPECT_TRUE(std::isnan(t.numbers(*s.find("spend"))[3]));
  EXPECT_EQ(t.numbers(*s.find("alt_weight"))[3], 1.0);
  EXPECT_EQ(t.flags(*s.find("callback"))[0], -1);
  EXPECT_EQ(t.times(*s.find("closed_at"))[1], response_table::missing_time);
  EXPECT_EQ(t.texts(*s.find("note"))[2], "");
  // The predefined fields by id equal their typed columns.
  EXPECT_EQ(t.scores(response_field::nps).data(), t.nps().data());
  EXPECT_EQ(t.texts(response_field::why)[0], "quick, \"friendly\"");
  EXPECT_EQ(t.label(response_field::channel, 2), "email");
  EXPECT_EQ(t.label(response_field::segment, t.segment()[1]), "enterprise");
  // Asking for a column as another type names the field.
  try {
    (void)t.scores(region);
    ADD_FAILURE() << "a category read as scores";
  } catch (const invalid_argument& e) {
    EXPECT_EQ(e.where().field, "region");
  }
  EXPECT_THROW((void)t.categories(response_field::channel), invalid_argument);  // the channel is 16-bit: channel()
  EXPECT_THROW((void)t.numbers(field_id(99)), invalid_argument);
}

TEST(ResponseTable, SharedDictionariesGiveOneIdPerLabel) {
  auto labels = std::make_shared<category_dictionaries>();
  response_table a(schema(), labels);
  response_table b(schema(), labels);
  response r;
  r.nps = 9;
  r.segment = "smb";
  b.append(r);  // "smb" is id 1 in both tables
  r.segment = "enterprise";
  a.append(r);
  r.segment = "smb";
  a.append(r);
  EXPECT_EQ(a.segment()[0], 2U);
  EXPECT_EQ(a.segment()[1], 1U);
  EXPECT_EQ(b.segment()[0], 1U);
  EXPECT_EQ(&a.segments(), &b.segments());
  EXPECT_EQ(labels->find("Segment"), &a.segments());
  // A copy has dictionaries of its own.
  response_table c = a;
  r.segment = "public";
  c.append(r);
  EXPECT_EQ(c.segments().size(), 4U);
  EXPECT_EQ(a.segments().size(), 3U);
  EXPECT_EQ(c.row(1), a.row(1));
}

}  // namespace
