# The Debian package: `cpack -G DEB` in a build configured for /usr (scripts/package.sh does
# both). It holds what `cmake --install` installs (the tests and the fake kernel have no
# install rules) and the Debian changelog. RelWithDebInfo binaries are stripped into a separate
# -dbgsym package.
set(KMODD_PACKAGE_MAINTAINER "kmodd maintainers <maintainers@kmodd.invalid>" CACHE STRING
    "The Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kmodd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "kernel module loading service for D-Bus clients")
set(CPACK_PACKAGE_DESCRIPTION
    "kmodd is a small root daemon that loads and unloads Linux kernel modules on
request over the D-Bus system bus. polkit decides who may ask, a YAML policy
in /etc/kmodd decides which modules may ever be loaded and with which default
parameters, and systemd starts it at boot and on demand.

This package contains the daemon, its command-line client kmodctl, the
systemd units, the D-Bus and polkit policies and the manual pages.")
# Absolute destinations (/etc, the unit, D-Bus and polkit directories) must land in the
# package, never on the build machine: install with DESTDIR, as a packager would.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${KMODD_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE KMODD_DEB_ARCHITECTURE
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${KMODD_DEB_ARCHITECTURE})
# dpkg-shlibdeps (dpkg-dev) adds the libraries; these are the services kmodd talks to. Any
# system bus will do (dbus-daemon or dbus-broker), as polkitd itself declares it. systemd is
# only recommended: D-Bus activation starts kmodd where systemd is not PID 1.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "default-dbus-system-bus | dbus-system-bus, polkitd")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS systemd)
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(debian_dir ${PROJECT_SOURCE_DIR}/packaging/debian)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${debian_dir}/conffiles ${debian_dir}/postinst ${debian_dir}/prerm ${debian_dir}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The changelog's first entry is the version being packaged, as dpkg-buildpackage would insist.
set(CPACK_KMODD_CHANGELOG ${debian_dir}/changelog)
file(STRINGS ${CPACK_KMODD_CHANGELOG} changelog_head LIMIT_COUNT 1)
if(NOT changelog_head MATCHES "^kmodd \\(${PROJECT_VERSION}\\) ")
    message(FATAL_ERROR "packaging/debian/changelog: the first entry is not version "
                        "${PROJECT_VERSION}; add one for it")
endif()
# Debian ships manual pages and the changelog compressed; done on the staged tree only, so a
# plain install stays as it is.
set(CPACK_PRE_BUILD_SCRIPTS ${debian_dir}/CompressManPages.cmake
                            ${debian_dir}/InstallChangelog.cmake)

include(CPack)
