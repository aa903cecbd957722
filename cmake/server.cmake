# The control plane (Boost.Beast, kept in one translation unit) and the treff executable.
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)

include(${CMAKE_SOURCE_DIR}/cmake/web_assets.cmake)

treff_module(signaling treff_sfu Boost::headers nlohmann_json::nlohmann_json)

file(GLOB app_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/app/*.cpp)
list(REMOVE_ITEM app_srcs ${CMAKE_SOURCE_DIR}/src/app/main.cpp)
add_library(treff_app STATIC ${app_srcs})
target_include_directories(treff_app PUBLIC ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(treff_app PUBLIC treff_signaling treff_web_assets tomlplusplus::tomlplusplus
                                       CLI11::CLI11)

# The sanitizer build tests the libraries; the executable comes from the Release build.
if(NOT TREFF_SANITIZE)
  add_executable(treff ${CMAKE_SOURCE_DIR}/src/app/main.cpp)
  target_link_libraries(treff PRIVATE treff_app)
  include(${CMAKE_SOURCE_DIR}/cmake/load_tools.cmake)
endif()
