# One INTERFACE target carries every shared compile setting; targets link it
# instead of touching global flags. qs_flags has no include directory: the core
# layers see only their own include trees (QsCoreLayer.cmake); qs_common adds
# the project root for widgets, app and tests.
add_library(qs_flags INTERFACE)
add_library(qs_common INTERFACE)
target_link_libraries(qs_common INTERFACE qs_flags)
target_include_directories(qs_common INTERFACE ${PROJECT_SOURCE_DIR})
target_compile_features(qs_flags INTERFACE cxx_std_20)
target_compile_options(qs_flags INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic>
  $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<BOOL:${QS_WERROR}>>:-Werror>)
target_compile_definitions(qs_flags INTERFACE
  QT_NO_CONTEXTLESS_CONNECT QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
  $<$<BOOL:${QS_BUILD_TESTS}>:_GLIBCXX_ASSERTIONS>)
if(QS_SANITIZE)
  list(JOIN QS_SANITIZE "," _qs_san)
  target_compile_options(qs_flags INTERFACE -fsanitize=${_qs_san} -fno-omit-frame-pointer)
  target_link_options(qs_flags INTERFACE -fsanitize=${_qs_san})
endif()
if(QS_BUILD_FUZZ)
  # Coverage instrumentation for the library code the fuzzers drive.
  target_compile_options(qs_flags INTERFACE -fsanitize=fuzzer-no-link)
endif()
