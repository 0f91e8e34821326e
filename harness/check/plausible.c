/* plausible.c: the faster-than-the-machine check (plausible.h). */
#include "plausible.h"

#include <stdio.h>

int plausible_beyond_peak(const peaks *pk, int threads, int dtype, double gflops, char *why,
                          size_t len)
{
    static peaks fresh;
    static int fresh_state;   /* 0 not measured yet, 1 measured, -1 the measurement failed */
    char no_roof[256];
    double peak = peaks_dtype_gflops(pk, threads, dtype, no_roof, sizeof no_roof);
    if (peak <= 0 || gflops <= peak * (1 + PLAUSIBLE_MARGIN))
        return 0;
    if (fresh_state == 0) {
        char ignored[256];
        fresh_state = peaks_measure(&fresh, ignored, sizeof ignored) == 0 ? 1 : -1;
    }
    double again = fresh_state == 1 ? peaks_dtype_gflops(&fresh, threads, dtype, no_roof,
                                                         sizeof no_roof) : 0;
    if (again > peak)
        peak = again;
    if (gflops <= peak * (1 + PLAUSIBLE_MARGIN))
        return 0;
    snprintf(why, len, "%.1f GFLOP/s is %.1fx this machine's measured peak on %d thread%s "
             "(%.1f GFLOP/s; %.0f%% margin): the work cannot have been done",
             gflops, gflops / peak, threads, threads == 1 ? "" : "s", peak,
             100 * PLAUSIBLE_MARGIN);
    return 1;
}
