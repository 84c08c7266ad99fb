# CPack pre-build script: compresses the staged manual pages (gzip -9n, as dh_compress does,
# so that the package is reproducible).
file(GLOB_RECURSE man_pages "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*.[0-9]")
list(FILTER man_pages INCLUDE REGEX "/share/man/man[0-9]/[^/]+$")
foreach(page IN LISTS man_pages)
    execute_process(COMMAND gzip -9nf "${page}" COMMAND_ERROR_IS_FATAL ANY)
endforeach()
