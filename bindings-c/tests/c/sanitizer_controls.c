/*
 * Positive controls: each mode does something ASan or UBSan must report.
 * scripts/test-c.sh runs them and fails unless the sanitizer fires, so the
 * other tests' "no report" means something.
 *   sanitizer_controls asan   heap buffer overflow (must be reported by ASan)
 *   sanitizer_controls ubsan  signed integer overflow (must be reported by UBSan)
 *   sanitizer_controls lsan   an unreachable allocation (must be reported by LeakSanitizer)
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        return 2;
    }
    if (strcmp(argv[1], "asan") == 0) {
        char *p = malloc(8);
        volatile int i = 8;
        p[i] = 1; /* one past the end */
        printf("%d\n", p[i]);
        free(p);
        return 0;
    }
    if (strcmp(argv[1], "ubsan") == 0) {
        volatile int x = INT_MAX;
        int y = x + 1; /* signed overflow */
        printf("%d\n", y);
        return 0;
    }
    if (strcmp(argv[1], "lsan") == 0) {
        char *volatile p = malloc(64);
        p[0] = 1;
        p = NULL; /* the only pointer is gone */
        return 0;
    }
    return 2;
}
