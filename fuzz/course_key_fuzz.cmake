larch_fuzz(course_key_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/course_key_fuzz.cc DEPS larch::keys)
