# Headers nearly every file includes, parsed once per build instead of once
# per file (nlohmann/json alone costs seconds per translation unit).
set(LARCH_PCH_HEADERS <algorithm> <cstdint> <functional> <map> <memory> <optional> <string>
  <string_view> <unordered_map> <utility> <vector> <nlohmann/json.hpp>)

# Builds the shared precompiled headers: larch_pch for libraries and, with
# tests, larch_test_pch (adds GoogleTest). Call once, after the global
# compile options are set, so every target compiles with the same flags.
function(larch_setup_pch)
  file(WRITE ${CMAKE_BINARY_DIR}/larch_pch.cc "// Anchor for the shared precompiled header.\n")
  add_library(larch_pch STATIC ${CMAKE_BINARY_DIR}/larch_pch.cc)
  target_link_libraries(larch_pch PRIVATE nlohmann_json::nlohmann_json)
  target_precompile_headers(larch_pch PRIVATE ${LARCH_PCH_HEADERS})
  if(LARCH_BUILD_TESTS)
    add_library(larch_test_pch STATIC ${CMAKE_BINARY_DIR}/larch_pch.cc)
    target_link_libraries(larch_test_pch PRIVATE nlohmann_json::nlohmann_json GTest::gmock)
    target_precompile_headers(larch_test_pch PRIVATE ${LARCH_PCH_HEADERS} <gtest/gtest.h>
      <gmock/gmock.h>)
  endif()
endfunction()

# Modules that parse outside input get libFuzzer's coverage instrumentation
# when LARCH_FUZZ is on (the fuzz targets link them); the rest do not pay
# for it.
set(LARCH_FUZZ_INSTRUMENTED http config oauth_jwt accounts keys olx search courses grading capa problems builtin_blocks)

# larch_module(NAME [SOURCES ...] [DEPS ...] [PRIVATE_DEPS ...])
# One static library per module. Its include/ directory is public; every
# other file is private, so a module can only see what its DEPS export.
function(larch_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(larch_${name} STATIC ${ARG_SOURCES})
  add_library(larch::${name} ALIAS larch_${name})
  if(LARCH_FUZZ AND name IN_LIST LARCH_FUZZ_INSTRUMENTED)
    # Instrumented code cannot share the uninstrumented header image.
    target_compile_options(larch_${name} PRIVATE -fsanitize=fuzzer-no-link)
    target_precompile_headers(larch_${name} PRIVATE ${LARCH_PCH_HEADERS})
  else()
    target_precompile_headers(larch_${name} REUSE_FROM larch_pch)
  endif()
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_include_directories(larch_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  endif()
  target_include_directories(larch_${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(larch_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# larch_test(NAME SOURCES ... [DEPS ...] [LABELS ...])
# A GoogleTest binary registered with ctest, one ctest entry per test case.
# Tests that use larch/testing/ (Status matchers, temporary migrated
# databases) list larch::test_support in DEPS.
function(larch_test name)
  if(NOT LARCH_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_precompile_headers(${name} REUSE_FROM larch_test_pch)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()

# larch_fuzz(NAME SOURCES ... DEPS ...)
# A libFuzzer target, built only when LARCH_FUZZ is on (clang). ctest runs it
# briefly over its seed corpus in fuzz/corpus/NAME.
function(larch_fuzz name)
  if(NOT LARCH_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer-no-link)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set(corpus ${PROJECT_SOURCE_DIR}/fuzz/corpus/${name})
  set(work ${CMAKE_BINARY_DIR}/fuzz-work/${name})
  add_test(NAME fuzz.${name}
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
      sh -c "mkdir -p ${work} && exec $<TARGET_FILE:${name}> -max_total_time=${LARCH_FUZZ_SECONDS} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 ${work} ${corpus}")
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz)
endfunction()
