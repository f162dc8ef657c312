/*
 * validate: decides one descriptor given in hex.
 *
 *   validate HEX [DIALECT]     e.g. validate 5443500200...0360 v2-kb
 *
 * Prints "RISK DECISION" under the default policy, or the error. Built by
 * scripts/test-c.sh against an installed libtcp found with pkg-config:
 *   cc validate.c $(pkg-config --cflags --libs tcp) -o validate
 */
#include <stdio.h>
#include <string.h>

#include <tcp.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s HEX [DIALECT]\n", argv[0]);
        return 2;
    }
    const char *hex = argv[1];
    const char *dialect_name = argc > 2 ? argv[2] : "c24";
    unsigned char record[64];
    size_t len = strlen(hex) / 2;
    if (len > sizeof record || strlen(hex) % 2 != 0) {
        fprintf(stderr, "bad hex\n");
        return 2;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
            fprintf(stderr, "bad hex\n");
            return 2;
        }
        record[i] = (unsigned char)byte;
    }

    tcp_dialect dialect;
    tcp_status status = tcp_dialect_from_name(dialect_name, strlen(dialect_name), &dialect);
    if (status == TCP_STATUS_OK) {
        tcp_descriptor_info info;
        status = tcp_descriptor_validate(dialect, TCP_MODE_STRICT, record, len, NULL, &info);
        if (status == TCP_STATUS_OK) {
            printf("%s %s\n", tcp_risk_level_name(info.risk), tcp_decision_name(info.decision));
            return 0;
        }
    }
    char message[256];
    size_t n;
    if (tcp_last_error_message(message, sizeof message, &n) != TCP_STATUS_OK) {
        message[0] = '\0';
    }
    fprintf(stderr, "error %u: %s\n", (unsigned)status, message);
    return 1;
}
