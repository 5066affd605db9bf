larch_fuzz(problem_form_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/problem_form_fuzz.cc
  DEPS larch::problems larch::http)
