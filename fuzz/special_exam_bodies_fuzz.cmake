larch_fuzz(special_exam_bodies_fuzz SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/special_exam_bodies_fuzz.cc
  ${PROJECT_SOURCE_DIR}/src/api/special_exam_bodies.cc DEPS larch::http)
if(TARGET special_exam_bodies_fuzz)
  target_include_directories(special_exam_bodies_fuzz PRIVATE ${PROJECT_SOURCE_DIR}/src/api)
endif()
