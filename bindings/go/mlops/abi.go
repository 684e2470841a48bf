package mlops

// The major-version guard sits in this file because cgo reads the files in
// name order and, with wrong headers, some toolchains (Go 1.19) show only
// the first file's errors: this one's is the #error below.

/*
#cgo pkg-config: libmlops
#include <stdlib.h>
#include <mlops.h>

#if !defined(MLOPS_VERSION_MAJOR) || MLOPS_VERSION_MAJOR != 1
#error "the Go binding needs libmlops 1.x headers (MLOPS_VERSION_MAJOR == 1)"
#endif
*/
import "C"

// HeaderVersion is the libmlops version whose headers this package was
// compiled against ("MAJOR.MINOR.PATCH"). Version() is the library loaded
// at run time; they differ when the shared library was upgraded since.
const HeaderVersion = C.MLOPS_VERSION_STRING

// HeaderVersionNumber is HeaderVersion as MAJOR*10000 + MINOR*100 + PATCH.
const HeaderVersionNumber = int(C.MLOPS_VERSION_NUMBER)

// Version returns the version of the libmlops library loaded at run time,
// as "MAJOR.MINOR.PATCH".
func Version() string { return C.GoString(C.mlops_version()) }

// VersionNumber returns the loaded library's version as
// MAJOR*10000 + MINOR*100 + PATCH, comparable with HeaderVersionNumber.
func VersionNumber() int { return int(C.mlops_version_number()) }
