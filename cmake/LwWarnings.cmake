# The warning set from docs/CODE_STYLE.md; LW_WERROR turns them into errors.
function(lw_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
    -Wformat=2 -Wimplicit-fallthrough -Wundef -Wwrite-strings -Wnull-dereference
    -Wno-missing-field-initializers)
  if(LW_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
