/* cmd_machine.c: `attnbench machine`: the topology, then measured FLOP/s peaks per ISA and
 * triad bandwidth per thread count; refreshes the cache `attnbench run` reads. */
#include "cli.h"
#include "host.h"
#include "peaks.h"
#include "topo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_machine(int argc, char **argv)
{
    peaks pk;
    char why[256], path[4096];
    if (argc > 1) {
        fprintf(stderr, "attnbench machine: %s '%s' (it takes none)\n",
                argv[1][0] == '-' ? "unknown option" : "unexpected argument", argv[1]);
        return 2;
    }
    topo_print();
    printf("\nmeasuring peaks on 1 to %d threads (a few seconds)...\n", topo_cores());
    fflush(stdout);
    if (peaks_measure(&pk, why, sizeof why) != 0) {
        fprintf(stderr, "attnbench machine: %s\n", why);
        return 1;
    }
    peaks_print(&pk);
    /* Against the published figure: cores with two 256-bit FMA pipes (Haswell and later, Zen 2
     * and later) do 32 float32 FLOP per cycle, so the AVX2 peak implies the clock it ran at. */
    char mhz[64];
    host_cpuinfo("cpu MHz", mhz, sizeof mhz);
    if (pk.have[PEAK_AVX2])
        printf("avx2_fma on 1 thread implies %.2f GHz at 32 FLOP/cycle (two 256-bit FMA pipes); "
               "/proc/cpuinfo says %s MHz (a VM shows the base clock there)\n",
               pk.gflops[PEAK_AVX2][0] / 32, mhz);
    peaks_cache_path(path, sizeof path);
    if (peaks_save(path, &pk) == 0)
        printf("cached for attnbench run: %s\n", path);
    else
        fprintf(stderr, "attnbench machine: warning: cannot write %s\n", path);
    return 0;
}
