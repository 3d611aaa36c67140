# schemac_generate(): C++ accessors for a schema, in the spirit of protobuf_generate.
#
#   schemac_generate(TARGET app
#                    SCHEMA_DIR ${CMAKE_CURRENT_SOURCE_DIR}/schema
#                    NAMESPACE shop
#                    [MIGRATIONS ${CMAKE_CURRENT_SOURCE_DIR}/migrations]
#                    [OUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/schemac]
#                    [TABLES_PER_FILE 100])
#
# The generated code is built once, as the static library schemac_gen_NAMESPACE
# (with OUT_DIR on its include path and the schemac runtime linked), which TARGET
# links. Several targets may use one namespace: the first call makes the library, the
# next ones link it (they must name the same SCHEMA_DIR and MIGRATIONS), so a program
# that links two of them gets one copy of the code. TARGET is optional: without it,
# the call only makes the library. The code is regenerated when a .schema file (or
# a migration, with MIGRATIONS) changes, and only then; schemac leaves a file alone
# when its content would not change, so an edit that changes no generated line
# recompiles nothing. A .schema file added or removed is noticed at the next build
# (CONFIGURE_DEPENDS). A large schema is generated in parts (NS_1.cpp, ...), compiled
# in parallel; the list of parts is read from the generated NS.sources (Ninja picks
# up a changed list in the same build; other generators at the next one). OUT_DIR
# belongs to schemac: it is replaced as a whole on each generation.
function(schemac_generate)
  cmake_parse_arguments(ARG "" "TARGET;SCHEMA_DIR;NAMESPACE;MIGRATIONS;OUT_DIR;TABLES_PER_FILE" "" ${ARGN})
  foreach(required SCHEMA_DIR NAMESPACE)
    if(NOT ARG_${required})
      message(FATAL_ERROR "schemac_generate: ${required} is required")
    endif()
  endforeach()
  if(NOT ARG_OUT_DIR)
    set(ARG_OUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/schemac_${ARG_NAMESPACE})
  endif()
  set(in_tree FALSE)
  if(TARGET schemac::schemac)
    set(schemac_exe schemac::schemac)
  else()
    set(schemac_exe schemac)  # building inside the schemac project itself
    set(in_tree TRUE)
  endif()
  if(TARGET schemac::runtime)
    set(schemac_runtime schemac::runtime)
  else()
    set(schemac_runtime schemac_runtime)
  endif()

  get_filename_component(schema_dir ${ARG_SCHEMA_DIR} ABSOLUTE)
  file(GLOB schema_files CONFIGURE_DEPENDS ${schema_dir}/*.schema)
  set(gen_args)
  set(migration_files)
  if(ARG_TABLES_PER_FILE)
    list(APPEND gen_args --tables-per-file ${ARG_TABLES_PER_FILE})
  endif()
  if(ARG_MIGRATIONS)
    get_filename_component(migrations_dir ${ARG_MIGRATIONS} ABSOLUTE)
    file(GLOB migration_files CONFIGURE_DEPENDS ${migrations_dir}/*.sql)
    list(APPEND gen_args --migrations ${migrations_dir})
  endif()

  set(library schemac_gen_${ARG_NAMESPACE})
  if(TARGET ${library})
    get_target_property(made_from ${library} SCHEMAC_GENERATED_FROM)
    if(NOT made_from STREQUAL "${schema_dir};${migrations_dir}")
      message(FATAL_ERROR "schemac_generate: namespace ${ARG_NAMESPACE} is generated already from ${made_from}; "
                          "one namespace is one schema: use another NAMESPACE for ${schema_dir}")
    endif()
    if(ARG_TARGET)
      target_link_libraries(${ARG_TARGET} PUBLIC ${library})
    endif()
    return()
  endif()

  # The files come from the list schemac writes with them (NS.sources: NS.hpp and
  # NS.cpp, and for a large schema NS_common.hpp and the parts NS_1.hpp, NS_1.cpp, ...).
  # The list is a dependency of the build system and an output of the generation:
  # when a build regenerates and the list changes, Ninja re-runs CMake before it
  # builds anything else, so the build compiles the parts that exist now. Until the
  # first generation the list names the pair of an unsplit schema.
  set(manifest ${ARG_OUT_DIR}/${ARG_NAMESPACE}.sources)
  if(NOT EXISTS ${manifest})
    file(WRITE ${manifest} "${ARG_NAMESPACE}.hpp\n${ARG_NAMESPACE}.cpp\n")
  endif()
  # Inside the schemac tree the list is not a dependency of the build system: it would
  # make Ninja build schemac with the old build graph before re-running CMake, which
  # fails when a change adds a source file to schemac itself. The tree's schemas are
  # small (one pair each); a changed list is picked up at the next configure.
  if(NOT in_tree)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${manifest})
  endif()
  file(STRINGS ${manifest} generated_names)
  set(generated_files)
  foreach(name IN LISTS generated_names)
    list(APPEND generated_files ${ARG_OUT_DIR}/${name})
  endforeach()
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${library}.stamp)
  # The stamp is the rule's output and the files its byproducts: with Ninja's
  # restat, files that schemac did not rewrite do not trigger a recompile.
  add_custom_command(
    OUTPUT ${stamp}
    BYPRODUCTS ${generated_files} ${manifest}
    COMMAND ${schemac_exe} gen cpp ${schema_dir} --out ${ARG_OUT_DIR} --namespace ${ARG_NAMESPACE} ${gen_args}
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${schema_files} ${migration_files} ${schemac_exe}
    COMMENT "schemac gen cpp ${ARG_NAMESPACE}"
    VERBATIM)
  add_library(${library} STATIC ${stamp} ${generated_files})
  # Position-independent, like the runtime: a shared library may link it.
  set_target_properties(${library} PROPERTIES SCHEMAC_GENERATED_FROM "${schema_dir};${migrations_dir}"
                                              POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${library} PUBLIC ${ARG_OUT_DIR})
  target_link_libraries(${library} PUBLIC ${schemac_runtime})
  if(ARG_TARGET)
    target_link_libraries(${ARG_TARGET} PUBLIC ${library})
  endif()
endfunction()
