// The run's results as one JSON object (stdout): the scenario, totals per media kind, and each
// participant's details.
#pragma once

#include <string>

#include "scenario.hpp"

namespace treff::loadgen {

std::string buildReport(const ScenarioOptions& options, const ScenarioResult& result);

}  // namespace treff::loadgen
