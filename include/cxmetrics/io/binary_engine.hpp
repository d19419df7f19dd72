// The binary form of the engine's states (score_histogram, metric_set<A...>,
// group_by<Acc, Key...>): their hooks are in engine/fields.hpp and
// io/binary.hpp brings them, with every other state; this header is kept so
// that code including it still compiles.
//
// Header: cxmetrics/io/binary_engine.hpp (header-only).
#pragma once

#include "cxmetrics/io/binary.hpp"
