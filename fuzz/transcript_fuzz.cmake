larch_fuzz(transcript_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/transcript_fuzz.cc DEPS larch::courses)
