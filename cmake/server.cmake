# The control plane (Boost.Beast, kept in few translation units) and the treff executable.
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)

treff_module(signaling treff_sfu Boost::headers nlohmann_json::nlohmann_json)
