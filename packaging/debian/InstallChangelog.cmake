# CPack pre-build script: puts packaging/debian/changelog where Debian policy wants a native
# package's changelog, /usr/share/doc/kmodd/changelog.gz (gzip -9n, so that the package is
# reproducible).
set(doc_dir "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/usr/share/doc/${CPACK_PACKAGE_NAME}")
file(MAKE_DIRECTORY "${doc_dir}")
execute_process(COMMAND gzip -9nc "${CPACK_KMODD_CHANGELOG}" OUTPUT_FILE "${doc_dir}/changelog.gz"
                COMMAND_ERROR_IS_FATAL ANY)
