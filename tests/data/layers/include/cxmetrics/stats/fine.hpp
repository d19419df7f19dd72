// Fixture: a stats header including only core and the top-level base headers.
#pragma once

#include "cxmetrics/core/low.hpp"
#include "cxmetrics/fwd.hpp"
