larch_fuzz(content_range_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/content_range_fuzz.cc DEPS larch::http)
