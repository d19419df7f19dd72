// stream_responses / read_responses: the reader chosen by format. Kept apart
// from the readers so that a static link of only the CSV reader does not pull
// in ReadStat.
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/io/jsonl.hpp"
#include "cxmetrics/io/readstat.hpp"

namespace cxm::inline v0_1 {

ingest_report stream_responses(const std::filesystem::path& file, const ingest_options& options,
                               const ingest_sink& sink) {
  const ingest_format f = options.format ? *options.format : format_of_path(file);
  switch (f) {
    case ingest_format::csv: return stream_responses_csv(file, options, sink);
    case ingest_format::jsonl: return stream_responses_jsonl(file, options, sink);
    default: {
      ingest_options o = options;
      o.format = f;
      return stream_responses_readstat(file, o, sink);
    }
  }
}

ingest_result read_responses(const std::filesystem::path& file, const ingest_options& options) {
  // The table shares the read's dictionaries, so batches append their ids as they are.
  ingest_options o = options;
  if (!o.dictionaries) o.dictionaries = std::make_shared<category_dictionaries>(o.channels);
  ingest_result r{response_table(schema_of(o), o.dictionaries), {}, {}};
  ingest_sink sink;
  sink.on_batch = [&r](const response_batch& b) { b.append_to(r.table); };
  sink.on_reject = [&r](const ingest_reject& x) { r.rejects.push_back(x); };
  r.report = stream_responses(file, o, sink);
  return r;
}

}  // namespace cxm
