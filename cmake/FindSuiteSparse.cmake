# FindSuiteSparse
# ---------------
# Finds the SuiteSparse libraries that vvc uses. SuiteSparse 5.x (Debian 12 ships 5.12) installs neither CMake
# package files nor pkg-config files, so the headers and libraries are looked up directly. vvc's package
# configuration (vvcConfig.cmake) ships this module so that projects linking the static vvc libraries resolve
# the same targets.
#
#   find_package(SuiteSparse [version] [REQUIRED] [COMPONENTS KLU ...])
#
# Components: KLU (the default), BTF, AMD, COLAMD and Config (SuiteSparse_config), the sparse LU solver the
# power flows use and what it links. Each found component X gives the imported target SuiteSparse::X, which
# carries the include folder and links the components X depends on (KLU: BTF, AMD, COLAMD, Config).
# Results: SuiteSparse_FOUND, SuiteSparse_VERSION (from SuiteSparse_config.h), SuiteSparse_INCLUDE_DIR,
# SuiteSparse_<X>_LIBRARY, SuiteSparse_<X>_FOUND.

set(_suitesparse_all KLU BTF AMD COLAMD Config)
set(_suitesparse_lib_KLU klu)
set(_suitesparse_lib_BTF btf)
set(_suitesparse_lib_AMD amd)
set(_suitesparse_lib_COLAMD colamd)
set(_suitesparse_lib_Config suitesparseconfig)
set(_suitesparse_deps_KLU BTF AMD COLAMD Config)
set(_suitesparse_deps_BTF Config)
set(_suitesparse_deps_AMD Config)
set(_suitesparse_deps_COLAMD Config)
set(_suitesparse_deps_Config "")

# The requested components and, transitively, the components they link.
set(_suitesparse_wanted ${SuiteSparse_FIND_COMPONENTS})
if(NOT _suitesparse_wanted)
  set(_suitesparse_wanted KLU)
endif()
foreach(_c IN LISTS _suitesparse_wanted)
  if(NOT _c IN_LIST _suitesparse_all)
    message(FATAL_ERROR "FindSuiteSparse: unknown component '${_c}' (known: ${_suitesparse_all})")
  endif()
endforeach()
set(_suitesparse_needed ${_suitesparse_wanted})
set(_suitesparse_queue ${_suitesparse_wanted})
while(_suitesparse_queue)
  list(POP_FRONT _suitesparse_queue _c)
  foreach(_d IN LISTS _suitesparse_deps_${_c})
    if(NOT _d IN_LIST _suitesparse_needed)
      list(APPEND _suitesparse_needed ${_d})
      list(APPEND _suitesparse_queue ${_d})
    endif()
  endforeach()
endwhile()

find_path(SuiteSparse_INCLUDE_DIR SuiteSparse_config.h PATH_SUFFIXES suitesparse)
if(SuiteSparse_INCLUDE_DIR AND EXISTS "${SuiteSparse_INCLUDE_DIR}/SuiteSparse_config.h")
  file(STRINGS "${SuiteSparse_INCLUDE_DIR}/SuiteSparse_config.h" _suitesparse_version_lines
       REGEX "^#define SUITESPARSE_(MAIN|SUB|SUBSUB)_VERSION +[0-9]+")
  foreach(_part MAIN SUB SUBSUB)
    string(REGEX REPLACE ".*#define SUITESPARSE_${_part}_VERSION +([0-9]+).*" "\\1" _suitesparse_${_part}
                         "${_suitesparse_version_lines}")
  endforeach()
  set(SuiteSparse_VERSION "${_suitesparse_MAIN}.${_suitesparse_SUB}.${_suitesparse_SUBSUB}")
endif()

foreach(_c IN LISTS _suitesparse_needed)
  find_library(SuiteSparse_${_c}_LIBRARY NAMES ${_suitesparse_lib_${_c}})
  mark_as_advanced(SuiteSparse_${_c}_LIBRARY)
  if(SuiteSparse_${_c}_LIBRARY AND SuiteSparse_INCLUDE_DIR)
    set(SuiteSparse_${_c}_FOUND TRUE)
  else()
    set(SuiteSparse_${_c}_FOUND FALSE)
  endif()
endforeach()
# A requested component counts as found only when everything it links was found too.
foreach(_c IN LISTS _suitesparse_wanted)
  foreach(_d IN LISTS _suitesparse_deps_${_c})
    if(NOT SuiteSparse_${_d}_FOUND)
      set(SuiteSparse_${_c}_FOUND FALSE)
    endif()
  endforeach()
endforeach()
mark_as_advanced(SuiteSparse_INCLUDE_DIR)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(SuiteSparse
  REQUIRED_VARS SuiteSparse_INCLUDE_DIR
  VERSION_VAR SuiteSparse_VERSION
  HANDLE_COMPONENTS)

if(SuiteSparse_FOUND)
  foreach(_c IN LISTS _suitesparse_needed)
    if(SuiteSparse_${_c}_FOUND AND NOT TARGET SuiteSparse::${_c})
      add_library(SuiteSparse::${_c} UNKNOWN IMPORTED)
      set_target_properties(SuiteSparse::${_c} PROPERTIES
        IMPORTED_LOCATION "${SuiteSparse_${_c}_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${SuiteSparse_INCLUDE_DIR}")
      foreach(_d IN LISTS _suitesparse_deps_${_c})
        set_property(TARGET SuiteSparse::${_c} APPEND PROPERTY INTERFACE_LINK_LIBRARIES SuiteSparse::${_d})
      endforeach()
    endif()
  endforeach()
endif()
