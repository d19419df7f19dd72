// The schema of declared fields: the predefined descriptors, the builder's
// checks (typed errors that name the field), column slots, and the shell
// form of a declaration.
#include <gtest/gtest.h>

#include <string>

#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/io/column_map.hpp"

namespace {

using namespace cxm;

// The error a call throws, or an empty optional.
template <class E, class F>
std::optional<E> thrown(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e;
  }
  return std::nullopt;
}

TEST(Schema, PredefinedFieldsHaveTheIdsOfResponseField) {
  const schema s;
  ASSERT_EQ(s.size(), 11U);
  const char* names[] = {"id", "timestamp", "channel", "agent", "segment", "nps",
                         "csat", "ces", "resolved", "weight", "why"};
  for (std::size_t i = 0; i < 11; ++i) {
    EXPECT_EQ(s[field_id(i)].name, names[i]);
    EXPECT_EQ(std::string(to_string(static_cast<response_field>(i))), names[i]);
    EXPECT_EQ(field_from_name(names[i]), static_cast<response_field>(i));
  }
  EXPECT_EQ(field_id(response_field::nps).index(), 5U);
  EXPECT_EQ(s[response_field::timestamp].kind, field_kind::time);
  EXPECT_EQ(s[response_field::resolved].kind, field_kind::flag);
  EXPECT_EQ(s[response_field::weight].kind, field_kind::weight);
  EXPECT_EQ(s[response_field::segment].kind, field_kind::category);
  EXPECT_EQ(s.scale_of(response_field::csat), scale::csat());
  EXPECT_TRUE(s.declared().empty());
  EXPECT_FALSE(field_from_name("NPS"));  // names are exact
  // The default column names are the field names.
  const column_map m;
  EXPECT_EQ(m.name_of(response_field::why), "why");
  EXPECT_EQ(&m.name_of(response_field::ces), &m.ces);
}

TEST(Schema, AliasesAreAFlatViewOfThePredefinedFields) {
  // 5 + 11 + 3 + 4 + 2 + 4 + 3 + 4 + 4 + 3 + 4 aliases, counted in the table of schema.hpp.
  ASSERT_EQ(column_aliases.size(), 47U);
  EXPECT_EQ(column_aliases.front().field, response_field::id);
  EXPECT_EQ(column_aliases.front().name, "response_id");
  EXPECT_EQ(column_aliases.back().field, response_field::why);
  EXPECT_EQ(column_aliases.back().name, "feedback");
  // No alias is a field's own name or an alias of two fields.
  for (std::size_t a = 0; a < column_aliases.size(); ++a) {
    EXPECT_FALSE(field_from_name(column_aliases[a].name)) << column_aliases[a].name;
    EXPECT_EQ(field_key(column_aliases[a].name), column_aliases[a].name);
    for (std::size_t b = a + 1; b < column_aliases.size(); ++b) EXPECT_NE(column_aliases[a].name, column_aliases[b].name);
  }
}

TEST(Schema, BuilderDeclaresFieldsAfterThePredefinedOnes) {
  const schema s = schema_builder()
                       .score("Q1 Recommend", scale::custom(1, 5, 4, 2))
                       .category("region")
                       .numeric("spend")
                       .flag("callback", flag_vocabulary{{"ja"}, {"nein"}, {}})
                       .time("closed_at")
                       .text("note")
                       .weight("alt_weight")
                       .id("customer_id")
                       .build();
  ASSERT_EQ(s.size(), 19U);
  EXPECT_EQ(s.declared().size(), 8U);
  EXPECT_EQ(s.find("q1-recommend"), field_id(11));  // found by key
  EXPECT_EQ(s.find("REGION"), field_id(12));
  EXPECT_EQ(s.find("nps"), field_id(response_field::nps));
  EXPECT_FALSE(s.find("q2"));
  EXPECT_EQ(s.scale_of(field_id(11)).max(), 5);
  EXPECT_THROW((void)s.scale_of(field_id(12)), invalid_argument);  // a category has no scale
  EXPECT_THROW((void)s.at(field_id(19)), invalid_argument);
  EXPECT_EQ(s[field_id(14)].vocabulary.yes, std::vector<std::string>{"ja"});

  // Columns: the predefined ones first in every type, declared ones after.
  EXPECT_EQ(predefined_slot(response_field::nps), 0U);
  EXPECT_EQ(predefined_slot(response_field::ces), 2U);
  EXPECT_EQ(predefined_slot(response_field::segment), 1U);
  EXPECT_EQ(predefined_slot(response_field::why), 1U);  // after id
  EXPECT_EQ(s.type_of(response_field::channel), column_type::channel);
  EXPECT_EQ(s.type_of(field_id(11)), column_type::score);
  EXPECT_EQ(s.slot_of(field_id(11)), 3U);
  EXPECT_EQ(s.slot_of(field_id(12)), 2U);  // agent, segment, region
  EXPECT_EQ(s.slot_of(field_id(13)), 1U);  // weight, spend
  EXPECT_EQ(s.slot_of(field_id(17)), 2U);  // weight, spend, alt_weight
  EXPECT_EQ(s.columns_of(column_type::text), 4U);  // id, why, note, customer_id
  EXPECT_EQ(s.columns_of(column_type::channel), 1U);
}

TEST(Schema, BadDeclarationsAreTypedErrorsNamingTheField) {
  schema_builder b;
  b.score("q1", scale::custom(1, 5, 4, 2));
  const auto twice = thrown<invalid_argument>([&] { b.category("Q1"); });
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->id(), 201);
  EXPECT_EQ(twice->where().field, "Q1");
  EXPECT_NE(std::string(twice->what()).find("declared twice"), std::string::npos) << twice->what();

  const auto predefined = thrown<invalid_argument>([&] { b.numeric("NPS"); });
  ASSERT_TRUE(predefined);
  EXPECT_NE(std::string(predefined->what()).find("predefined field 'nps'"), std::string::npos);

  const auto kind = thrown<invalid_argument>([&] { b.add(field{"x", static_cast<field_kind>(42), std::nullopt, {}}); });
  ASSERT_TRUE(kind);
  EXPECT_EQ(kind->where().field, "x");
  EXPECT_THROW(b.add(field{"q2", field_kind::score, std::nullopt, {}}), invalid_argument);         // no scale
  EXPECT_THROW(b.score("q3", scale::custom(0, 300, 200, 100)), invalid_argument);                // beyond 254
  EXPECT_THROW(b.add(field{"r", field_kind::category, scale::csat(), {}}), invalid_argument);     // scale on a category
  EXPECT_THROW(b.flag("f", flag_vocabulary{{"yes"}, {"YES "}, {}}), invalid_argument);             // a token twice
  EXPECT_THROW(b.flag("g", flag_vocabulary{{""}, {"no"}, {}}), invalid_argument);                  // an empty token
  EXPECT_THROW(b.text("  "), invalid_argument);                                                     // no name
  // A failed declaration leaves the builder as it was.
  EXPECT_EQ(b.build().size(), 12U);
  // A predefined scale that does not fit a column is refused too.
  EXPECT_THROW(schema(table_scales{scale::custom(0, 255, 200, 100)}), invalid_argument);
}

TEST(Schema, PredefinedOptionsAndSameColumns) {
  const schema a = schema_builder().category("region").build();
  const schema b = a.with(table_scales{scale::nps(), scale::csat(1), scale::ces()}, flag_vocabulary{{"k"}, {"e"}, {}});
  EXPECT_EQ(b.scale_of(response_field::csat), scale::csat(1));
  EXPECT_EQ(b[response_field::resolved].vocabulary.yes, std::vector<std::string>{"k"});
  EXPECT_EQ(b.size(), a.size());
  EXPECT_FALSE(a.same_columns(b));  // another CSAT scale
  const schema c = a.with(table_scales{}, flag_vocabulary{{"k"}, {"e"}, {}});
  EXPECT_TRUE(a.same_columns(c));  // a vocabulary does not change the columns
  EXPECT_FALSE(a == c);
  EXPECT_FALSE(a.same_columns(schema()));
}

TEST(Schema, ScaleText) {
  // MIN-MAX: top and bottom two points (one each on 2 or 3 points).
  EXPECT_EQ(parse_scale("1-5"), scale::custom(1, 5, 4, 2));
  EXPECT_EQ(parse_scale("1..5"), scale::custom(1, 5, 4, 2));
  EXPECT_EQ(parse_scale("0-10"), scale::custom(0, 10, 9, 1));
  EXPECT_EQ(parse_scale("1-3"), scale::custom(1, 3, 3, 1));
  EXPECT_EQ(parse_scale("0-1"), scale::custom(0, 1, 1, 0));
  EXPECT_EQ(parse_scale("1-7/3"), scale::custom(1, 7, 5, 3));
  EXPECT_EQ(parse_scale("0-254"), scale::custom(0, 254, 253, 1));
  EXPECT_EQ(parse_scale("nps"), scale::nps());
  EXPECT_EQ(parse_scale("csat"), scale::csat());
  EXPECT_EQ(parse_scale("ces"), scale::ces());
  for (const char* bad : {"", "5-1", "5-5", "1-5/3", "1-5/0", "a-b", "0-255", "-1-5", "1-", "1", "1-5/x", "1-5-7"}) {
    const auto e = thrown<invalid_argument>([&] { (void)parse_scale(bad, "q1"); });
    ASSERT_TRUE(e) << bad;
    EXPECT_EQ(e->where().field, "q1") << bad;
  }
}

TEST(Schema, ShellDeclarations) {
  const field q1 = parse_field("q1:score:1-5");
  EXPECT_EQ(q1.name, "q1");
  EXPECT_EQ(q1.kind, field_kind::score);
  EXPECT_EQ(q1.score_scale, scale::custom(1, 5, 4, 2));
  const field region = parse_field("region:category");
  EXPECT_EQ(region.kind, field_kind::category);
  EXPECT_FALSE(region.score_scale);
  const field colon = parse_field("Q1: Recommend:score:0-10");  // a name may hold ':'
  EXPECT_EQ(colon.name, "Q1: Recommend");
  EXPECT_EQ(parse_field("done:flag").vocabulary, flag_vocabulary{});
  for (const char* bad : {"q1", "q1:colour", "q1:score", "q1:score:1-99x", "region:category:1-5", ":numeric",
                          "q1:Score:1-5"}) {
    const auto e = thrown<invalid_argument>([&] { (void)parse_field(bad); });
    ASSERT_TRUE(e) << bad;
    EXPECT_NE(std::string(e->what()).find(bad), std::string::npos) << e->what();
  }
}

}  // namespace
