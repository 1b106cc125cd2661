# qs_core_layer(NAME [DIRS dir...] [FILES file...] [DEPENDS layer...])
#
# One layer of the core (docs/ARCHITECTURE.md, "Layers"): a static library
# qs_<NAME> built from core/<NAME>/ (or the given DIRS/FILES of core/). Its
# sources see only the headers of its own folders and of the layers it
# DEPENDS on, directly or through them: each layer gets an include tree of
# symlinks (build/core/layer_include/<NAME>/core/...) instead of the project
# root, so including a header of a higher layer fails to compile.
function(qs_core_layer name)
  cmake_parse_arguments(ARG "" "" "DIRS;FILES;DEPENDS" ${ARGN})
  if(NOT ARG_DIRS AND NOT ARG_FILES)
    set(ARG_DIRS ${name})
  endif()
  set(sources "")
  foreach(dir ${ARG_DIRS})
    file(GLOB_RECURSE found CONFIGURE_DEPENDS ${QS_CORE_DIR}/${dir}/*.cpp ${QS_CORE_DIR}/${dir}/*.h)
    list(APPEND sources ${found})
  endforeach()
  foreach(f ${ARG_FILES})
    list(APPEND sources ${QS_CORE_DIR}/${f})
  endforeach()

  # What this layer may include: its own folders/files plus its dependencies' closure.
  set(visible "${ARG_DIRS};${ARG_FILES}")
  foreach(dep ${ARG_DEPENDS})
    if(NOT DEFINED QS_LAYER_${dep}_VISIBLE)
      message(FATAL_ERROR "core layer '${name}' depends on '${dep}', which is not declared before it")
    endif()
    list(APPEND visible ${QS_LAYER_${dep}_VISIBLE})
  endforeach()
  list(REMOVE_DUPLICATES visible)
  list(REMOVE_ITEM visible "")
  set(QS_LAYER_${name}_VISIBLE ${visible} PARENT_SCOPE)

  set(root ${CMAKE_CURRENT_BINARY_DIR}/layer_include/${name})
  file(REMOVE_RECURSE ${root})
  file(MAKE_DIRECTORY ${root}/core)
  foreach(entry ${visible})
    get_filename_component(parent ${root}/core/${entry} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${QS_CORE_DIR}/${entry} ${root}/core/${entry} SYMBOLIC)
  endforeach()

  add_library(qs_${name} STATIC ${sources})
  set_target_properties(qs_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_include_directories(qs_${name} PRIVATE ${root})
  list(TRANSFORM ARG_DEPENDS PREPEND qs_ OUTPUT_VARIABLE dep_targets)
  target_link_libraries(qs_${name} PUBLIC qs_flags ${dep_targets})
endfunction()
