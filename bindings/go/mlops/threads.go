package mlops

/*
#include <mlops.h>
*/
import "C"

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// SetThreadLimit sets the process-wide thread limit
// (mlops_set_thread_limit): how many threads, the calling one included,
// one library call may keep working at once. 0 means the number of online
// CPUs; 1 starts no thread at all; N starts at most N-1 workers. A Store's
// Threads option still applies, capped by this limit. Errors: ErrInvalid
// for more than 256. Safe from any goroutine.
func SetThreadLimit(n uint) error {
	if n > 256 {
		return &Error{Code: CodeInvalid, Message: fmt.Sprintf("mlops: SetThreadLimit: %d threads is more than 256", n)}
	}
	return call(func() C.int { return C.mlops_set_thread_limit(C.uint(n)) })
}

// ThreadLimit returns the process-wide thread limit (0 = online CPUs).
func ThreadLimit() uint { return uint(C.mlops_thread_limit()) }

// threadLimitFromEnv applies MLOPS_THREADS, as the mlops command does.
func threadLimitFromEnv(text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	n, err := strconv.ParseUint(text, 10, 32)
	if err == nil {
		err = SetThreadLimit(uint(n))
	}
	if err != nil {
		return fmt.Errorf("mlops: MLOPS_THREADS=%q is not a thread limit from 0 to 256", text)
	}
	return nil
}

// The limit from MLOPS_THREADS is set when the package loads; a value that
// is not a limit stops the program there, as a wrong command line would.
func init() {
	if err := threadLimitFromEnv(os.Getenv("MLOPS_THREADS")); err != nil {
		panic(err)
	}
}
