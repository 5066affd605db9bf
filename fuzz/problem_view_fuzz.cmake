larch_fuzz(problem_view_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/problem_view_fuzz.cc DEPS larch::problems)
