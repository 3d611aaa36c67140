// The C++ emission templates (templates/*.mustache), embedded at build time by
// cmake/embed_templates.cmake so that the schemac binary needs no data files.
#pragma once

namespace schemac::emit::templates {
extern const char* const header;  // templates/header.hpp.mustache
extern const char* const source;  // templates/source.cpp.mustache
}  // namespace schemac::emit::templates
