/* peak_fma.h: one multiply-add loop for every ISA. Each peak_*.c instantiates it with its own
 * vector type and is built for its own ISA (see the Makefile): a*b + c contracts to one FMA
 * where the ISA has it. Twelve independent chains cover FMA latency (4 cycles on Zen 4) times
 * two FMA pipes with room to spare. */
#ifndef PEAK_FMA_H
#define PEAK_FMA_H

#include <string.h>

#define PEAK_FMA_CHAINS 12

#define PEAK_FMA_FUNCTION(name, vec, lanes)                                                  \
    double name(long iters, float *sink)                                                     \
    {                                                                                        \
        vec a[PEAK_FMA_CHAINS], b, c, s;                                                     \
        float out[lanes];                                                                    \
        memset(&b, 0, sizeof b);                                                             \
        c = b + 1e-6f;                                                                       \
        b = b + 0.999999f;                                                                   \
        _Pragma("GCC unroll 12") for (int j = 0; j < PEAK_FMA_CHAINS; j++) a[j] = c * (float)j; \
        for (long i = 0; i < iters; i++) {                                                   \
            _Pragma("GCC unroll 12") for (int j = 0; j < PEAK_FMA_CHAINS; j++)               \
                a[j] = a[j] * b + c;                                                         \
        }                                                                                    \
        s = a[0];                                                                            \
        _Pragma("GCC unroll 12") for (int j = 1; j < PEAK_FMA_CHAINS; j++) s = s + a[j];    \
        memcpy(out, &s, sizeof out);                                                         \
        *sink = out[0] + out[lanes - 1];                                                     \
        return 2.0 * (lanes) * PEAK_FMA_CHAINS * (double)iters;                              \
    }

#endif
