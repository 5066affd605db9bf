larch_fuzz(certificate_config_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/certificate_config_fuzz.cc DEPS larch::certificates)
