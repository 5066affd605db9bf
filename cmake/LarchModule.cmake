# larch_module(NAME [SOURCES ...] [DEPS ...] [PRIVATE_DEPS ...])
# One static library per module. Its include/ directory is public; every
# other file is private, so a module can only see what its DEPS export.
function(larch_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(larch_${name} STATIC ${ARG_SOURCES})
  add_library(larch::${name} ALIAS larch_${name})
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_include_directories(larch_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  endif()
  target_include_directories(larch_${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(larch_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# larch_test(NAME SOURCES ... [DEPS ...] [LABELS ...])
# A GoogleTest binary registered with ctest, one ctest entry per test case.
function(larch_test name)
  if(NOT LARCH_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
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
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set(corpus ${PROJECT_SOURCE_DIR}/fuzz/corpus/${name})
  set(work ${CMAKE_BINARY_DIR}/fuzz-work/${name})
  add_test(NAME fuzz.${name}
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
      sh -c "mkdir -p ${work} && exec $<TARGET_FILE:${name}> -max_total_time=${LARCH_FUZZ_SECONDS} -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 ${work} ${corpus}")
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz)
endfunction()
