# Installation layout and the Debian package (`cpack -G DEB` in the build
# directory; docs/packaging.md). Nothing here adds to the normal build: the
# example config is written at configure time, the man pages are gzipped at
# install time.
#
#   /usr/bin/opeld, /usr/bin/opelctl        (the dashboard is inside opeld)
#   /lib/systemd/system/opeld.service
#   /etc/opeld/opeld.yaml, practices.yaml, rules/llr.yaml   (conffiles)
#   /usr/share/man/man8/opeld.8.gz, man1/opelctl.1.gz
#   /usr/share/doc/opeld/                   (README and docs/)
#   /var/lib/opeld/opeld.db                 (made by systemd: StateDirectory=)

include(GNUInstallDirs)
# `cmake --install` and cpack package what is built (scripts/build first)
# rather than building everything themselves: the package test runs in ctest
# beside other tests, on the build tree as it is.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(OPEL_SYSCONF_DIR /etc/opeld CACHE PATH "Where the package puts the configuration")
set(OPEL_UNIT_DIR /lib/systemd/system CACHE PATH "Where the package puts the systemd unit")
set(OPEL_STATE_DIR /var/lib/opeld CACHE PATH "The daemon's state directory (StateDirectory=)")

# The packaged opeld.yaml is the demo config, which shows every option, with
# the database in the state directory and placeholder tokens instead of the
# demo ones. A change to the demo config's shape that defeats this is
# caught by the package test (no "demo" may be left).
set(demo_config ${CMAKE_SOURCE_DIR}/config/opeld.yaml)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${demo_config} ${CMAKE_SOURCE_DIR}/packaging/tokens.yaml)
file(READ ${demo_config} cfg)
file(READ ${CMAKE_SOURCE_DIR}/packaging/tokens.yaml placeholder_tokens)
string(FIND "${cfg}" "\n\n" header_end)
string(SUBSTRING "${cfg}" ${header_end} -1 cfg)
string(CONCAT cfg
  "# ${OPEL_SYSCONF_DIR}/opeld.yaml: opeld's configuration, every option with its\n"
  "# default. The tokens below are placeholders: opeld refuses to start until\n"
  "# they are replaced (see opeld(8) and /usr/share/doc/opeld/packaging.md).\n"
  "#\n"
  "# Check it with:  opeld --check-config ${OPEL_SYSCONF_DIR}/opeld.yaml\n"
  "# Reload it with: systemctl reload opeld\n"
  "# Relative paths are relative to this file's directory. Unknown keys are\n"
  "# errors. An option left out takes the default shown beside it. SIGHUP\n"
  "# reloads the practices, tokens, subscribers and rules; an invalid new\n"
  "# config is refused and the old one stays in force."
  "${cfg}")
string(REGEX REPLACE "\ndatabase: [^\n]*" "\ndatabase: ${OPEL_STATE_DIR}/opeld.db" cfg "${cfg}")
string(REGEX REPLACE "\nrules: [^\n]*" "\nrules: rules/llr.yaml" cfg "${cfg}")
string(REPLACE "# The demo tokens below are listed in plain text in demo-tokens.md: never use\n# them outside a demo.\n"
       "" cfg "${cfg}")
string(FIND "${cfg}" "\ntokens:\n" tokens_at)
if(tokens_at GREATER -1)
  string(SUBSTRING "${cfg}" 0 ${tokens_at} before)
  string(SUBSTRING "${cfg}" ${tokens_at} -1 after)
  string(FIND "${after}" "\n\n" tokens_end)
  math(EXPR tokens_end "${tokens_end} + 1")
  string(SUBSTRING "${after}" ${tokens_end} -1 after)
  set(cfg "${before}\n${placeholder_tokens}${after}")
endif()
set(out ${CMAKE_BINARY_DIR}/packaging/opeld.yaml)
set(old "")
if(EXISTS ${out})
  file(READ ${out} old)
endif()
if(NOT old STREQUAL cfg)
  file(WRITE ${out} "${cfg}")
endif()

install(TARGETS opeld DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET opelctl)
  install(TARGETS opelctl DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(FILES ${CMAKE_SOURCE_DIR}/systemd/opeld.service DESTINATION ${OPEL_UNIT_DIR})
install(FILES ${CMAKE_BINARY_DIR}/packaging/opeld.yaml ${CMAKE_SOURCE_DIR}/packaging/practices.yaml
        DESTINATION ${OPEL_SYSCONF_DIR})
install(FILES ${CMAKE_SOURCE_DIR}/rules/llr.yaml DESTINATION ${OPEL_SYSCONF_DIR}/rules)

foreach(page opeld.8 opelctl.1)
  string(REGEX MATCH "[0-9]$" section ${page})
  install(CODE "execute_process(COMMAND gzip -9n -c ${CMAKE_SOURCE_DIR}/man/${page}
                                OUTPUT_FILE ${CMAKE_BINARY_DIR}/man/${page}.gz
                                COMMAND_ERROR_IS_FATAL ANY)")
  install(FILES ${CMAKE_BINARY_DIR}/man/${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/man)

install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES rules/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME rules.md)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md" PATTERN screenshots EXCLUDE)

# The Debian package.
set(CPACK_PACKAGE_NAME opeld)
set(CPACK_PACKAGE_VENDOR "opeld")
set(CPACK_PACKAGE_CONTACT "opeld maintainers <opeld@example.org>" CACHE STRING
    "The package's Maintainer field")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "OPEL escalation and alerting daemon for general practice")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "OPEL escalation and alerting daemon for general practice
 opeld takes practices' Operational Pressures Escalation Level reports over
 HTTP and ZeroMQ, stores each durably in SQLite before answering, raises
 alerts by configurable escalation rules (ZeroMQ PUB, Server-Sent Events,
 signed webhooks) and builds the daily summary and monthly reports. The
 live dashboard is served by the daemon itself. opelctl is its
 command-line client.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # opeld_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The library dependencies are read off the binaries by dpkg-shlibdeps
# (dpkg-dev); adduser is for the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/deb/postinst ${CMAKE_SOURCE_DIR}/packaging/deb/prerm
    ${CMAKE_SOURCE_DIR}/packaging/deb/postrm ${CMAKE_SOURCE_DIR}/packaging/deb/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_GENERATOR DEB)
include(CPack)
