/*
 * A progress bar on stderr for long work, drawn only when stderr is a
 * terminal (so logs and pipes never see it). Redraws at most ten times a
 * second and erases itself when done.
 */
#ifndef MLOPS_CLI_PROGRESS_H
#define MLOPS_CLI_PROGRESS_H

#include <stdint.h>

typedef struct progress progress;

/* Starts a bar labelled label for total units (bytes when bytes is 1;
 * total 0 when unknown: a counter and a spinner). Returns NULL, a valid
 * no-op bar for the functions below, when enabled is 0. */
progress *progress_start(int enabled, const char *label, uint64_t total, int bytes);
/* Sets the amount done (absolute). */
void progress_set(progress *p, uint64_t done);
/* Changes the label and total (for work in phases). */
void progress_phase(progress *p, const char *label, uint64_t total);
/* Erases the bar and releases it. */
void progress_end(progress *p);

/* Runs fn(arg) on another thread while a spinner with the elapsed time
 * turns on stderr (when enabled), for library calls that report no
 * progress of their own. Returns fn's result. */
int progress_spin(int enabled, const char *label, int (*fn)(void *), void *arg);

#endif
