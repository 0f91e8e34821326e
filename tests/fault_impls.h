/* fault_impls.h: test-only implementations that misbehave as processes: they crash, abort,
 * hang, exit, or return errors, so the runner's isolation can be tested. */
#ifndef FAULT_IMPLS_H
#define FAULT_IMPLS_H

#include "attn.h"

extern const attn_impl fault_segv, fault_abort, fault_ill, fault_fpe, fault_hang, fault_exit,
    fault_prepare_error, fault_run_error, fault_unavailable, fault_unsupported;

/* Stray accesses: o one element past its end, o one element before its start, k read one
 * element past its end. */
/* Allocates memory without end. */
extern const attn_impl fault_runaway;

extern const attn_impl fault_write_past_o, fault_write_before_o, fault_read_past_k;

#endif
