// Fixture: compiled io code reaching report (by the src/ root), cli (beside
// it, through ..) and an io header of its own (allowed).
#include "io/reader.hpp"

#include "report/text.hpp"
#include "../cli/cli.hpp"
#include "cxmetrics/engine/count.hpp"
