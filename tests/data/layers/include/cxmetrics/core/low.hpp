// Fixture of the layers_catches test: a core header reaching up.
#pragma once

#include <vector>

#include "cxmetrics/core/scale.hpp"
#include "cxmetrics/stats/mean.hpp"
#include "cxmetrics/export.hpp"
#include "cxmetrics/cxmetrics.hpp"
