// cxmetrics: the whole public API in one include.
//
//   #include <cxmetrics/cxmetrics.hpp>
//
// Each header below holds one idea and may be included on its own.
#pragma once

#include "cxmetrics/version.hpp"

#include "cxmetrics/core/counts.hpp"
#include "cxmetrics/core/dictionary.hpp"
#include "cxmetrics/core/error.hpp"
#include "cxmetrics/core/estimate.hpp"
#include "cxmetrics/core/hash.hpp"
#include "cxmetrics/core/isa.hpp"
#include "cxmetrics/core/period.hpp"
#include "cxmetrics/core/response.hpp"
#include "cxmetrics/core/response_table.hpp"
#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/core/schema.hpp"
#include "cxmetrics/core/timestamp.hpp"

#include "cxmetrics/stats/bootstrap.hpp"
#include "cxmetrics/stats/compare.hpp"
#include "cxmetrics/stats/compare_to_rest.hpp"
#include "cxmetrics/stats/dirichlet.hpp"
#include "cxmetrics/stats/distributions.hpp"
#include "cxmetrics/stats/mean.hpp"
#include "cxmetrics/stats/multiplicity.hpp"
#include "cxmetrics/stats/net_compare.hpp"
#include "cxmetrics/stats/net_score.hpp"
#include "cxmetrics/stats/proportion.hpp"
#include "cxmetrics/stats/weighted_se.hpp"

#include "cxmetrics/metrics/ces.hpp"
#include "cxmetrics/metrics/csat.hpp"
#include "cxmetrics/metrics/nps.hpp"
#include "cxmetrics/metrics/rating.hpp"
#include "cxmetrics/metrics/resolution.hpp"
#include "cxmetrics/metrics/score_metric.hpp"

#include "cxmetrics/engine/accumulator.hpp"
#include "cxmetrics/engine/count.hpp"
#include "cxmetrics/engine/group_by.hpp"
#include "cxmetrics/engine/group_keys.hpp"
#include "cxmetrics/engine/grouped.hpp"
#include "cxmetrics/engine/grouped_feed.hpp"
#include "cxmetrics/engine/key_extractor.hpp"
#include "cxmetrics/engine/metric_set.hpp"
#include "cxmetrics/engine/response_view.hpp"

#include "cxmetrics/io/batch_view.hpp"
#include "cxmetrics/io/binary.hpp"
#include "cxmetrics/io/column_map.hpp"
#include "cxmetrics/io/csv.hpp"
#include "cxmetrics/io/ingest.hpp"
#include "cxmetrics/io/ingest_options.hpp"
#include "cxmetrics/io/json.hpp"
#include "cxmetrics/io/mapping.hpp"
#include "cxmetrics/io/rejects.hpp"
#include "cxmetrics/io/response_batch.hpp"
#include "cxmetrics/series/ets.hpp"
#include "cxmetrics/series/forecast.hpp"

#include "cxmetrics/report/html.hpp"
#include "cxmetrics/report/journey_charts.hpp"
#include "cxmetrics/report/model.hpp"
#include "cxmetrics/report/svg.hpp"
#include "cxmetrics/report/svg_primitives.hpp"
