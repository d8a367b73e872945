# Third-party dependencies, all from Debian 12 (see docs/architecture.md).
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(Threads REQUIRED)

# SuiteSparse 5.12 ships neither CMake config nor pkg-config files.
find_path(SUITESPARSE_INCLUDE_DIR klu.h PATH_SUFFIXES suitesparse REQUIRED)
set(VVC_SUITESPARSE_LIBS)
foreach(lib klu btf amd colamd suitesparseconfig)
  find_library(VVC_SS_${lib}_LIB NAMES ${lib} REQUIRED)
  list(APPEND VVC_SUITESPARSE_LIBS ${VVC_SS_${lib}_LIB})
endforeach()
if(NOT TARGET SuiteSparse::KLU)
  add_library(SuiteSparse::KLU INTERFACE IMPORTED)
  target_include_directories(SuiteSparse::KLU INTERFACE ${SUITESPARSE_INCLUDE_DIR})
  target_link_libraries(SuiteSparse::KLU INTERFACE ${VVC_SUITESPARSE_LIBS})
endif()

# Ipopt 3.11 is pkg-config only. It is not thread-safe (MUMPS global state).
find_package(PkgConfig REQUIRED)
pkg_check_modules(IPOPT REQUIRED IMPORTED_TARGET ipopt)
