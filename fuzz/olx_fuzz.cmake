larch_fuzz(olx_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/olx_fuzz.cc DEPS larch::olx)
