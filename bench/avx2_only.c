/* Make this process's CPU look like an AVX2-only one: LD_PRELOAD=avx2_only.so COMMAND.
 *
 * ONNX Runtime (MLAS), numpy and most libraries choose their kernels from the CPUID instruction
 * at run time; none has a switch to use fewer instruction sets than the CPU has. Linux can make
 * CPUID fault instead (arch_prctl ARCH_SET_CPUID, where the CPU offers "cpuid_fault"): this
 * library turns that on when it is loaded, answers each faulting CPUID itself from the real
 * instruction, and clears the AVX-512, AVX-VNNI and AMX bits before handing the answer back.
 * The faulting setting is kept across fork and clone (threads too) and LD_PRELOAD carries the
 * library into child processes.
 *
 * Only the choice of kernels changes: the cores, their clock, caches and memory stay those of the
 * machine at hand. glibc reads CPUID before this library loads (its memcpy keeps AVX-512 unless
 * GLIBC_TUNABLES says otherwise). See bench/avx2_only.py and docs/benchmarks.md.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static struct sigaction previous;
static volatile sig_atomic_t answered;

static long set_cpuid(unsigned long enabled) { return syscall(SYS_arch_prctl, ARCH_SET_CPUID, enabled); }

static void mask(unsigned leaf, unsigned subleaf, unsigned *a, unsigned *b, unsigned *c, unsigned *d) {
    if (leaf == 7 && subleaf == 0) {
        /* EBX: AVX512F 16, DQ 17, IFMA 21, PF 26, ER 27, CD 28, BW 30, VL 31 */
        *b &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31));
        /* ECX: VBMI 1, VBMI2 6, VNNI 11, BITALG 12, VPOPCNTDQ 14 */
        *c &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
        /* EDX: 4VNNIW 2, 4FMAPS 3, VP2INTERSECT 8, AMX-BF16 22, AVX512-FP16 23, AMX-TILE 24, AMX-INT8 25 */
        *d &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) | (1u << 25));
    } else if (leaf == 7 && subleaf == 1) {
        /* EAX: AVX-VNNI 4, AVX512-BF16 5, AMX-FP16 21, AVX-IFMA 23 */
        *a &= ~((1u << 4) | (1u << 5) | (1u << 21) | (1u << 23));
        /* EDX: AVX-VNNI-INT8 4, AVX-NE-CONVERT 5, AVX-VNNI-INT16 10, AVX10 19 */
        *d &= ~((1u << 4) | (1u << 5) | (1u << 10) | (1u << 19));
    }
}

static void on_segv(int signal, siginfo_t *info, void *context) {
    ucontext_t *uc = context;
    greg_t *r = uc->uc_mcontext.gregs;
    const unsigned char *ip = (const unsigned char *)r[REG_RIP];
    if (ip[0] == 0x0f && ip[1] == 0xa2) { /* CPUID */
        unsigned leaf = (unsigned)r[REG_RAX], subleaf = (unsigned)r[REG_RCX], a, b, c, d;
        set_cpuid(1);
        __cpuid_count(leaf, subleaf, a, b, c, d);
        set_cpuid(0);
        mask(leaf, subleaf, &a, &b, &c, &d);
        r[REG_RAX] = a;
        r[REG_RBX] = b;
        r[REG_RCX] = c;
        r[REG_RDX] = d;
        r[REG_RIP] += 2;
        answered = answered + 1;
        return;
    }
    /* Not ours: behave as if this handler were not there. */
    if (previous.sa_flags & SA_SIGINFO) {
        previous.sa_sigaction(signal, info, context);
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(signal);
    } else {
        struct sigaction fallback = {0};
        fallback.sa_handler = SIG_DFL;
        sigaction(SIGSEGV, &fallback, NULL);
    }
}

__attribute__((constructor)) static void avx2_only(void) {
    struct sigaction action = {0};
    action.sa_sigaction = on_segv;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous);
    if (set_cpuid(0) != 0) {
        perror("avx2_only: arch_prctl(ARCH_SET_CPUID) (no cpuid_fault on this CPU?)");
        exit(70);
    }
}
