larch_fuzz(certificate_template_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/certificate_template_fuzz.cc DEPS larch::api)
