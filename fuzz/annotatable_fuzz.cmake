larch_fuzz(annotatable_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/annotatable_fuzz.cc DEPS larch::builtin_blocks)
