larch_fuzz(config_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/config_fuzz.cc DEPS larch::config)
