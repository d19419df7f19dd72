// Fixture: testing/ may include anything.
#pragma once

#include "cxmetrics/cxmetrics.hpp"
#include "cxmetrics/report/html.hpp"
