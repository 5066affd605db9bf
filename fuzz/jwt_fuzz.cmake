larch_fuzz(jwt_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/jwt_fuzz.cc DEPS larch::oauth_jwt)
