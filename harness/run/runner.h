/* runner.h: runs one case in a forked child (so a crash, a hang or a corrupting kernel cannot
 * touch the harness), times run() there, and turns what happened into a status. */
#ifndef RUNNER_H
#define RUNNER_H

#include "case_input.h"
#include "case_result.h"
#include "proc.h"
#include "status.h"
#include "sweep.h"

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* Bytes runner_problem_init allocates for p: q, k, v, o, the second input set, and the two
 * double-precision references (computed without overflow). */
double runner_problem_bytes(const attn_problem *p);

/* Allocates a problem's buffers and fills its inputs. 0, or nonzero with a reason. */
int runner_problem_init(runner_problem *rp, const attn_problem *p, int dist, uint64_t seed,
                        char *why, size_t why_len);
void runner_problem_free(runner_problem *rp);

/* Computes the references of both input sets in a child process with `threads` threads (so the
 * parent never starts a thread pool that a later fork would inherit broken). Sets rp->ref_ok. */
void runner_reference(runner_problem *rp, int threads);

/* Runs one case and fills res. */
void runner_run_case(const runner_problem *rp, const attn_impl *impl, int threads,
                     const runner_opts *opts, case_result *res);

#endif
