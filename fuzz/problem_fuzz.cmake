larch_fuzz(problem_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/problem_fuzz.cc DEPS larch::capa)
