larch_fuzz(multipart_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/multipart_fuzz.cc DEPS larch::http)
