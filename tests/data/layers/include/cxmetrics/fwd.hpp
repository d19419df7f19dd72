// Fixture: fwd.hpp declares names and includes no layer.
#pragma once

#include "cxmetrics/core/scale.hpp"
