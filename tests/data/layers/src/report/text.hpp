// Fixture: report code including io (allowed).
#pragma once

#include "io/reader.hpp"
