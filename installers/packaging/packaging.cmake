# CPack: .deb and .tar.gz packages, one per component: prodmcp-server (the server, its systemd unit
# and an example config) and prodmcp-console (the console, its .desktop file and icon).
#   cmake --build build && (cd build && cpack -G "DEB;TGZ")
install(FILES ${CMAKE_CURRENT_LIST_DIR}/../systemd/prodmcp-server.service DESTINATION lib/systemd/system COMPONENT server)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/prodmcp.example.toml DESTINATION share/doc/prodmcp-server COMPONENT server)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/../prometheus/prodmcp-alerts.yml DESTINATION share/prodmcp/prometheus COMPONENT server)

set(CPACK_PACKAGE_NAME prodmcp)
set(CPACK_PACKAGE_VENDOR "ProdMCP")
set(CPACK_PACKAGE_CONTACT "ProdMCP maintainers <maintainers@prodmcp.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
if(PRODMCP_BUILD_CONSOLE)
  set(CPACK_COMPONENTS_ALL server console)
else()
  set(CPACK_COMPONENTS_ALL server)
endif()
set(CPACK_COMPONENT_SERVER_DESCRIPTION "Production MCP server: Streamable HTTP and stdio, metrics, probes, Redis cache, rate limits, auth")
set(CPACK_COMPONENT_CONSOLE_DESCRIPTION "Desktop console that supervises and watches prodmcp-server")
set(CPACK_COMPONENT_CONSOLE_DEPENDS server)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)  # the console package depends on the server package
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends from the libraries the binaries link
set(CPACK_DEBIAN_SERVER_PACKAGE_NAME prodmcp-server)
set(CPACK_DEBIAN_CONSOLE_PACKAGE_NAME prodmcp-console)
set(CPACK_DEBIAN_CONSOLE_PACKAGE_SECTION x11)

set(CPACK_ARCHIVE_COMPONENT_INSTALL ON)
set(CPACK_ARCHIVE_SERVER_FILE_NAME prodmcp-server-${PROJECT_VERSION}-Linux)
set(CPACK_ARCHIVE_CONSOLE_FILE_NAME prodmcp-console-${PROJECT_VERSION}-Linux)
include(CPack)
