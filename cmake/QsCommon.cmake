# One INTERFACE target carries every shared compile setting; targets link it
# instead of touching global flags.
add_library(qs_common INTERFACE)
target_compile_features(qs_common INTERFACE cxx_std_20)
target_include_directories(qs_common INTERFACE ${PROJECT_SOURCE_DIR})
target_compile_options(qs_common INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic>
  $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<BOOL:${QS_WERROR}>>:-Werror>)
target_compile_definitions(qs_common INTERFACE
  QT_NO_CONTEXTLESS_CONNECT QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
  $<$<BOOL:${QS_BUILD_TESTS}>:_GLIBCXX_ASSERTIONS>)
if(QS_SANITIZE)
  list(JOIN QS_SANITIZE "," _qs_san)
  target_compile_options(qs_common INTERFACE -fsanitize=${_qs_san} -fno-omit-frame-pointer)
  target_link_options(qs_common INTERFACE -fsanitize=${_qs_san})
endif()
if(QS_BUILD_FUZZ)
  # Coverage instrumentation for the library code the fuzzers drive.
  target_compile_options(qs_common INTERFACE -fsanitize=fuzzer-no-link)
endif()
