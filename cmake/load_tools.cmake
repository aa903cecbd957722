# The load instruments (Release build only): bench/loadgen/*.cpp -> treff-loadgen, the client
# side of many simulated participants; bench/ceiling/*.cpp -> treff-ceiling, the machine's
# forwarding limit without SFU logic. Each is built once it has sources.
file(GLOB loadgen_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bench/loadgen/*.cpp)
if(loadgen_srcs)
  add_executable(treff-loadgen ${loadgen_srcs})
  target_include_directories(treff-loadgen PRIVATE ${CMAKE_SOURCE_DIR}/bench/loadgen)
  target_link_libraries(treff-loadgen PRIVATE treff_sfu Boost::headers
                                              nlohmann_json::nlohmann_json CLI11::CLI11)
endif()

file(GLOB ceiling_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bench/ceiling/*.cpp)
if(ceiling_srcs)
  add_executable(treff-ceiling ${ceiling_srcs})
  target_include_directories(treff-ceiling PRIVATE ${CMAKE_SOURCE_DIR}/bench/ceiling)
  target_link_libraries(treff-ceiling PRIVATE treff_srtp treff_net CLI11::CLI11)
endif()
