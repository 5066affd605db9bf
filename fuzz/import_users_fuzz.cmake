larch_fuzz(import_users_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/import_users_fuzz.cc
  DEPS larch::accounts larch::storage_open)
