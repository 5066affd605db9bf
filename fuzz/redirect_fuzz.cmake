larch_fuzz(redirect_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/redirect_fuzz.cc DEPS larch::http)
