// The built web app (web/dist), compiled into the binary so that `treff` is one file.
// Defined by a source generated at build time (tools/embed_assets.cpp, target treff_web_assets).
#pragma once

#include <cstddef>
#include <string_view>

namespace treff::signaling {

struct WebAsset {
  std::string_view path;         // "/index.html", "/assets/echo.js"
  std::string_view contentType;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

// Finds the asset served at a URL path (no query string). Besides exact matches, "/" and any path
// ending in "/" map to its index.html, and an extension-less path "/echo" to "/echo.html".
// Returns nullptr when nothing matches, and for paths containing "..", "//" or a backslash.
const WebAsset* findWebAsset(std::string_view path);

// Every embedded asset, sorted by path (for listings and tests).
const WebAsset* webAssetsBegin();
const WebAsset* webAssetsEnd();

}  // namespace treff::signaling
