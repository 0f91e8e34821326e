/* cpu_features.c: what the CPU and the OS let us run, asked with CPUID and XGETBV.
 * Compiled for the baseline ISA (never with -mavx2), so it runs on any x86-64 to say no. */
#include "cpu_features.h"

#include "attn.h"

#include "impl_util.h"

#include <stdlib.h>
#include <string.h>

/* 1 (with why) when CPU_MASK_ENV names feature. */
int cpu_masked(const char *feature, char *why, size_t why_len)
{
    const char *list = getenv(CPU_MASK_ENV);
    size_t n = strlen(feature);
    for (const char *at = list; at != NULL && (at = strstr(at, feature)) != NULL; at += n)
        if ((at == list || at[-1] == ',') && (at[n] == '\0' || at[n] == ',')) {
            impl_why(why, why_len, "%s is masked by %s=%s", feature, CPU_MASK_ENV, list);
            return 1;
        }
    return 0;
}

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/* XCR0: which register states the OS saves on a context switch. */
static unsigned long long read_xcr0(void)
{
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

int cpu_avx2_fma(char *why, size_t why_len)
{
    unsigned eax, ebx, ecx, edx;
    if (cpu_masked("avx2", why, why_len))
        return 1;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        impl_why(why, why_len, "CPUID leaf 1 is not available");
        return 1;
    }
    if (!(ecx & bit_AVX) || !(ecx & bit_FMA)) {
        impl_why(why, why_len, "the CPU has no %s", !(ecx & bit_AVX) ? "AVX" : "FMA");
        return 1;
    }
    /* The OS must save the YMM registers (XCR0 bits 1 and 2), or AVX code faults. */
    if (!(ecx & bit_OSXSAVE) || (read_xcr0() & 0x6) != 0x6) {
        impl_why(why, why_len, "the OS does not enable the AVX registers (XCR0)");
        return 1;
    }
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || !(ebx & bit_AVX2)) {
        impl_why(why, why_len, "the CPU has no AVX2");
        return 1;
    }
    return 0;
}

int cpu_f16c(char *why, size_t why_len)
{
    unsigned eax, ebx, ecx, edx;
    if (cpu_avx2_fma(why, why_len) != 0)
        return 1;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_F16C)) {
        impl_why(why, why_len, "the CPU has no F16C (half-precision conversions)");
        return 1;
    }
    return 0;
}

const char *cpu_native_16bit(int dtype)
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0, eax1 = 0, ebx1 = 0, ecx1 = 0, edx1 = 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
        return NULL;
    if (eax >= 1)
        __get_cpuid_count(7, 1, &eax1, &ebx1, &ecx1, &edx1);
    if (dtype == ATTN_BF16) {
        if (edx & (1u << 22))
            return "AMX-BF16";
        if (eax1 & (1u << 5))
            return "AVX512_BF16";
    } else if (dtype == ATTN_F16) {
        if (eax1 & (1u << 21))
            return "AMX-FP16";
        if (edx & (1u << 23))
            return "AVX512_FP16";
    }
    return NULL;
}

int cpu_avx512f(char *why, size_t why_len)
{
    unsigned eax, ebx, ecx, edx;
    if (cpu_avx2_fma(why, why_len) != 0 || cpu_masked("avx512", why, why_len))
        return 1;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || !(ebx & bit_AVX512F)) {
        impl_why(why, why_len, "the CPU has no AVX-512F (or, under valgrind, CPUID hides it)");
        return 1;
    }
    /* Opmask, upper ZMM0-15 and ZMM16-31 states: XCR0 bits 5, 6 and 7. */
    if ((read_xcr0() & 0xe0) != 0xe0) {
        impl_why(why, why_len, "the OS does not enable the AVX-512 registers (XCR0)");
        return 1;
    }
    return 0;
}
int cpu_avx512_bf16(char *why, size_t why_len)
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (cpu_avx512f(why, why_len) != 0 || cpu_masked("avx512_bf16", why, why_len))
        return 1;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || eax < 1 ||
        !__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) || !(eax & (1u << 5))) {
        impl_why(why, why_len, "the CPU has AVX-512F but no AVX512_BF16");
        return 1;
    }
    return 0;
}

int cpu_avx512_core(char *why, size_t why_len)
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (cpu_avx512f(why, why_len) != 0)
        return 1;
    __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx);
    const unsigned need[] = {bit_AVX512BW, bit_AVX512DQ, bit_AVX512VL};
    const char *const names[] = {"AVX512BW", "AVX512DQ", "AVX512VL"};
    for (int i = 0; i < 3; i++)
        if (!(ebx & need[i])) {
            impl_why(why, why_len, "the CPU has AVX-512F but no %s", names[i]);
            return 1;
        }
    return 0;
}
#else
int cpu_avx2_fma(char *why, size_t why_len)
{
    impl_why(why, why_len, "not an x86-64 CPU");
    return 1;
}

int cpu_avx512f(char *why, size_t why_len)
{
    return cpu_avx2_fma(why, why_len);
}

int cpu_avx512_bf16(char *why, size_t why_len)
{
    return cpu_avx2_fma(why, why_len);
}

int cpu_avx512_core(char *why, size_t why_len)
{
    return cpu_avx2_fma(why, why_len);
}
#endif
