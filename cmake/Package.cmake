# The installed package: the programs, the static libraries with their public headers, the case data, and a CMake
# package configuration so that another project can find_package(vvc) and link vvc::grid and vvc::core
# (tests/package/ is such a project). The modules install their own targets and headers into the export set
# vvcTargets.
include(CMakePackageConfigHelpers)

set(VVC_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/vvc)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/cases/ DESTINATION ${VVC_CASES_INSTALL_DIR})
install(EXPORT vvcTargets NAMESPACE vvc:: DESTINATION ${VVC_CMAKE_INSTALL_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/vvcConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/vvcConfig.cmake
                              INSTALL_DESTINATION ${VVC_CMAKE_INSTALL_DIR}
                              PATH_VARS VVC_CASES_INSTALL_DIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/vvcConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/vvcConfig.cmake ${PROJECT_BINARY_DIR}/vvcConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindSuiteSparse.cmake
        DESTINATION ${VVC_CMAKE_INSTALL_DIR})
