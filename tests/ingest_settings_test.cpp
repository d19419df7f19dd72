// make_ingest_options (io/ingest_settings.hpp): each setting against the
// ingest option it must produce, and each bad setting against the typed
// error naming it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "cxmetrics/core/error.hpp"
#include "cxmetrics/io/ingest_settings.hpp"
#include "cxmetrics/io/mapping.hpp"

namespace {

bool requires_field(const cxm::ingest_options& o, cxm::response_field f) {
  return std::find(o.required.begin(), o.required.end(), f) != o.required.end();
}

std::string bad_setting(const cxm::ingest_settings& s) {
  try {
    (void)cxm::make_ingest_options(s);
  } catch (const cxm::invalid_argument& e) {
    return e.where().field;
  }
  return "(no error)";
}

TEST(IngestSettings, DefaultsAreTheDefaultOptions) {
  const auto o = cxm::make_ingest_options({});
  const cxm::ingest_options d;
  EXPECT_FALSE(o.format.has_value());
  EXPECT_EQ(o.delimiter, 0);
  EXPECT_EQ(o.decimal_point, 0);
  EXPECT_EQ(o.errors, cxm::on_error::skip);
  EXPECT_EQ(o.epoch_unit, cxm::epoch_unit::automatic);
  EXPECT_TRUE(o.required.empty());
  EXPECT_EQ(o.threads, d.threads);
  EXPECT_EQ(o.columns.name_of(cxm::response_field::nps), d.columns.name_of(cxm::response_field::nps));
}

TEST(IngestSettings, FormatAndDelimiter) {
  cxm::ingest_settings s;
  s.format = "TSV";
  auto o = cxm::make_ingest_options(s);
  ASSERT_TRUE(o.format.has_value());
  EXPECT_EQ(o.delimiter, '\t');  // tsv is CSV with a tab
  s.delimiter = ";";             // the delimiter setting wins over tsv's tab
  EXPECT_EQ(cxm::make_ingest_options(s).delimiter, ';');
  s = {};
  s.delimiter = "tab";
  s.decimal_comma = true;
  o = cxm::make_ingest_options(s);
  EXPECT_EQ(o.delimiter, '\t');
  EXPECT_EQ(o.decimal_point, ',');
}

TEST(IngestSettings, ColumnsAreRequiredUnlessEmpty) {
  cxm::ingest_settings s;
  s.columns = {"nps=Q1 Recommend", "why="};
  s.required = {cxm::response_field::channel};
  const auto o = cxm::make_ingest_options(s);
  EXPECT_EQ(o.columns.name_of(cxm::response_field::nps), "Q1 Recommend");
  EXPECT_EQ(o.columns.name_of(cxm::response_field::why), "");
  EXPECT_TRUE(requires_field(o, cxm::response_field::nps));
  EXPECT_FALSE(requires_field(o, cxm::response_field::why));
  EXPECT_TRUE(requires_field(o, cxm::response_field::channel));
}

TEST(IngestSettings, FieldsChannelsStrictThreads) {
  cxm::ingest_settings s;
  s.fields = {"q1:score:1-5", "region:category"};
  s.channels = {"phone", "chat"};
  s.strict = true;
  s.threads = 0;
  s.chunk_bytes = 4096;
  s.epoch_unit = "milliseconds";
  const auto o = cxm::make_ingest_options(s);
  const auto q1 = o.schema.find("q1");
  ASSERT_TRUE(q1.has_value());
  EXPECT_EQ(o.schema[*q1].kind, cxm::field_kind::score);
  EXPECT_EQ(o.schema[*q1].score_scale->max(), 5);
  ASSERT_TRUE(o.schema.find("region").has_value());
  EXPECT_EQ(o.channels.mode(), cxm::channel_set::policy::closed);
  EXPECT_EQ(o.channels.size(), 2u);
  EXPECT_EQ(o.errors, cxm::on_error::strict);
  EXPECT_EQ(o.threads, 0u);
  EXPECT_EQ(o.chunk_bytes, 4096u);
  EXPECT_EQ(o.epoch_unit, cxm::epoch_unit::milliseconds);
}

TEST(IngestSettings, MappingFirstThenTheOtherSettings) {
  const auto path = std::filesystem::temp_directory_path() / "cxm_ingest_settings_test_mapping.json";
  {
    std::ofstream f(path);
    f << R"({"delimiter": ";", "columns": {"nps": "Suositus"}})";
  }
  cxm::ingest_settings s;
  s.mapping = path.string();
  auto o = cxm::make_ingest_options(s);
  EXPECT_EQ(o.delimiter, ';');
  EXPECT_EQ(o.columns.name_of(cxm::response_field::nps), "Suositus");
  s.delimiter = "|";
  s.columns = {"nps=Recommend"};
  o = cxm::make_ingest_options(s);
  EXPECT_EQ(o.delimiter, '|');
  EXPECT_EQ(o.columns.name_of(cxm::response_field::nps), "Recommend");
  std::filesystem::remove(path);
}

TEST(IngestSettings, BadSettingsNameThemselves) {
  cxm::ingest_settings s;
  s.format = "xlsx";
  EXPECT_EQ(bad_setting(s), "format");
  s = {};
  s.delimiter = ";;";
  EXPECT_EQ(bad_setting(s), "delimiter");
  s = {};
  s.epoch_unit = "minutes";
  EXPECT_EQ(bad_setting(s), "epoch_unit");
  s = {};
  s.columns = {"nps"};
  EXPECT_EQ(bad_setting(s), "columns");
  s.columns = {"score=Q1"};
  EXPECT_EQ(bad_setting(s), "columns");
  s = {};
  s.fields = {"q1:score"};  // a score needs a scale
  EXPECT_THROW((void)cxm::make_ingest_options(s), cxm::invalid_argument);
}

}  // namespace
