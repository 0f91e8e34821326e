/* run_meta.h: results.json's "run" object. It begins as what the run is (out_json_meta:
 * versions, host, the config as read) and what it found before its first case (the notes also
 * printed at the start, the machine peaks, the tile rule's caches, the topology, the counters
 * plan, the binding), and ends with how the run ended (interrupted, rounds, the calibration,
 * cases taken over by --resume). */
#ifndef RUN_META_H
#define RUN_META_H

#include "config.h"
#include "counters.h"
#include "peaks.h"
#include "sweep.h"

#include <jansson.h>
#include <stddef.h>

/* What the cases need of what run_meta_begin found. */
typedef struct run_setup {
    peaks pk;
    int have_peaks;               /* pk holds the machine's peaks */
    size_t evict_bytes;           /* what a cold-cache case touches before each repetition */
} run_setup;

/* The "run" object as the sweep begins; prints each note as it is added ("note: ..."). It may
 * measure the machine peaks (a few seconds), and sets the tile rule's [tune] override, read once
 * here so every case's child inherits it. argv is main's; openblas_note is "" or what
 * libs_openblas_settle said. */
json_t *run_meta_begin(const cfg *c, const sweep *s, const ctr_plan *plan,
                       const char *openblas_note, int argc, char **argv, run_setup *out);

/* How the run ended. calib_rounds is the array of each round's calibration (kept: a reference
 * is taken). */
void run_meta_end(json_t *meta, int interrupted, long rounds, json_t *calib_rounds,
                  int n_resumed);

#endif
