# Third-party dependencies, all from Debian 12 (see docs/architecture.md). vvcConfig.cmake.in finds the ones that
# projects linking the installed static libraries need; keep the two in step.
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(Threads REQUIRED)

# SuiteSparse 5.12 ships neither CMake package files nor pkg-config files: cmake/FindSuiteSparse.cmake.
find_package(SuiteSparse REQUIRED COMPONENTS KLU AMD)

# Ipopt 3.11 is pkg-config only. It is not thread-safe (MUMPS global state).
find_package(PkgConfig REQUIRED)
pkg_check_modules(IPOPT REQUIRED IMPORTED_TARGET ipopt)

# Open MPI (optional): `vvc train`, `vvc eval` and `vvc bench table` spread their work over the ranks of a job
# (core/distributed). Without it the same commands run in one process.
find_package(MPI QUIET COMPONENTS CXX)
option(VVC_WITH_MPI "Spread train, eval and bench table over MPI ranks (needs Open MPI)" ${MPI_CXX_FOUND})
if(VVC_WITH_MPI AND NOT MPI_CXX_FOUND)
  message(FATAL_ERROR "VVC_WITH_MPI is on but MPI was not found (Debian: libopenmpi-dev openmpi-bin)")
endif()
