larch_fuzz(calc_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/calc_fuzz.cc DEPS larch::capa)
