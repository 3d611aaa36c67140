# Writes OUT: a C++ file defining schemac::emit::templates::{header,source} as raw
# string literals holding the two template files. Run by the build whenever a
# template changes (see compiler/CMakeLists.txt).
file(READ "${HEADER}" header)
file(READ "${SOURCE}" source)
foreach(text IN ITEMS "${header}" "${source}")
  string(FIND "${text}" ")schemac_template\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "a template contains the raw string delimiter )schemac_template\"")
  endif()
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from templates/ by cmake/embed_templates.cmake. Do not edit.\n"
  "#include \"emit/templates.hpp\"\n"
  "namespace schemac::emit::templates {\n"
  "const char* const header = R\"schemac_template(${header})schemac_template\";\n"
  "const char* const source = R\"schemac_template(${source})schemac_template\";\n"
  "}  // namespace schemac::emit::templates\n")
file(RENAME "${OUT}.tmp" "${OUT}")
