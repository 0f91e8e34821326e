/* version.h: the version, and what the build stamps in (commit, flags). */
#ifndef VERSION_H
#define VERSION_H

#define ATTNBENCH_VERSION "0.1.0"

#ifndef ATTNBENCH_GIT
#define ATTNBENCH_GIT "unknown"
#endif
#ifndef ATTNBENCH_CFLAGS
#define ATTNBENCH_CFLAGS "unknown"
#endif

#endif
