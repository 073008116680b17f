# The installed package: `find_package(modelgate CONFIG)` gives the target modelgate::modelgate, and
# modelgate.pc serves pkg-config users. The library is static, so both carry its dependencies.
include(CMakePackageConfigHelpers)
set(MG_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/modelgate)
install(EXPORT modelgateTargets NAMESPACE modelgate:: DESTINATION ${MG_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/modelgateConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/modelgateConfig.cmake INSTALL_DESTINATION ${MG_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/modelgateConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/modelgateConfig.cmake ${CMAKE_BINARY_DIR}/modelgateConfigVersion.cmake
        DESTINATION ${MG_CMAKE_DIR})
# The .pc file finds its prefix from where it is installed, so an install moved elsewhere still works.
file(RELATIVE_PATH MG_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_SOURCE_DIR}/cmake/modelgate.pc.in ${CMAKE_BINARY_DIR}/modelgate.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/modelgate.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
