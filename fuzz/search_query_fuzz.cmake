larch_fuzz(search_query_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/search_query_fuzz.cc
  DEPS larch::search SQLite::SQLite3)
