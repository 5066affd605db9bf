larch_fuzz(json_body_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/json_body_fuzz.cc DEPS larch::http)
