# schemac_generate(): C++ accessors for a schema, in the spirit of protobuf_generate.
#
#   schemac_generate(TARGET app
#                    SCHEMA_DIR ${CMAKE_CURRENT_SOURCE_DIR}/schema
#                    NAMESPACE shop
#                    [MIGRATIONS ${CMAKE_CURRENT_SOURCE_DIR}/migrations]
#                    [OUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/schemac])
#
# Adds OUT_DIR/NAMESPACE.cpp to TARGET's sources, OUT_DIR to its include path and
# links it with the schemac runtime. The code is regenerated when a .schema file (or
# a migration, with MIGRATIONS) changes, and only then; schemac leaves a file alone
# when its content would not change, so an edit that changes no generated line
# recompiles nothing. A .schema file added or removed is noticed at the next build
# (CONFIGURE_DEPENDS).
function(schemac_generate)
  cmake_parse_arguments(ARG "" "TARGET;SCHEMA_DIR;NAMESPACE;MIGRATIONS;OUT_DIR" "" ${ARGN})
  foreach(required TARGET SCHEMA_DIR NAMESPACE)
    if(NOT ARG_${required})
      message(FATAL_ERROR "schemac_generate: ${required} is required")
    endif()
  endforeach()
  if(NOT ARG_OUT_DIR)
    set(ARG_OUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/schemac_${ARG_NAMESPACE})
  endif()
  if(TARGET schemac::schemac)
    set(schemac_exe schemac::schemac)
  else()
    set(schemac_exe schemac)  # building inside the schemac project itself
  endif()
  if(TARGET schemac::runtime)
    set(schemac_runtime schemac::runtime)
  else()
    set(schemac_runtime schemac_runtime)
  endif()

  get_filename_component(schema_dir ${ARG_SCHEMA_DIR} ABSOLUTE)
  file(GLOB schema_files CONFIGURE_DEPENDS ${schema_dir}/*.schema)
  set(migration_args)
  set(migration_files)
  if(ARG_MIGRATIONS)
    get_filename_component(migrations_dir ${ARG_MIGRATIONS} ABSOLUTE)
    file(GLOB migration_files CONFIGURE_DEPENDS ${migrations_dir}/*.sql)
    set(migration_args --migrations ${migrations_dir})
  endif()

  set(header ${ARG_OUT_DIR}/${ARG_NAMESPACE}.hpp)
  set(source ${ARG_OUT_DIR}/${ARG_NAMESPACE}.cpp)
  set(stamp ${ARG_OUT_DIR}/${ARG_NAMESPACE}.stamp)
  # The stamp is the rule's output and the sources its byproducts: with Ninja's
  # restat, sources that schemac did not rewrite do not trigger a recompile.
  add_custom_command(
    OUTPUT ${stamp}
    BYPRODUCTS ${header} ${source}
    COMMAND ${schemac_exe} gen cpp ${schema_dir} --out ${ARG_OUT_DIR} --namespace ${ARG_NAMESPACE} ${migration_args}
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${schema_files} ${migration_files} ${schemac_exe}
    COMMENT "schemac gen cpp ${ARG_NAMESPACE}"
    VERBATIM)
  target_sources(${ARG_TARGET} PRIVATE ${stamp} ${source} ${header})
  target_include_directories(${ARG_TARGET} PUBLIC ${ARG_OUT_DIR})
  target_link_libraries(${ARG_TARGET} PUBLIC ${schemac_runtime})
endfunction()
