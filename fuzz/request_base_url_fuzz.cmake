larch_fuzz(request_base_url_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/request_base_url_fuzz.cc DEPS larch::http)
