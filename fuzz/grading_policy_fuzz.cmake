larch_fuzz(grading_policy_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/grading_policy_fuzz.cc DEPS larch::grading)
