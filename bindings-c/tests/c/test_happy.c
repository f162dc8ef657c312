/*
 * The happy paths of libtcp's C API: names, statuses, policies, validating
 * one record and a batch, and registry lookups.
 *
 * Test vectors are records of the prototype's knowledge base (v2-kb) with the
 * risk the prototype's own export gives them (tcp-core/tests/data/kb_expected.jsonl).
 * Usage: test_happy DATA_DIR   (DATA_DIR holds tcp_complete.db)
 */
#include <stdlib.h>

#include "harness.h"

static const char *data_dir = ".";

struct vector {
    const char *command;
    const char *hex;
    bool has_risk;
    uint32_t risk;
    uint16_t capabilities;
};

static const struct vector VECTORS[] = {
    {"ls", "54435002000244ba5ca60000050100000064000a00010360", true, TCP_RISK_LEVEL_SAFE,
     TCP_CAPABILITY_FILE_MODIFICATION | TCP_CAPABILITY_REQUIRES_ROOT},
    {"[[", "544350020002785631c60000040200000064000a00010325", true, TCP_RISK_LEVEL_LOW,
     TCP_CAPABILITY_REQUIRES_ROOT},
    {"chmod", "544350020002417e248f0000150400000064000a000102e5", true, TCP_RISK_LEVEL_MEDIUM,
     TCP_CAPABILITY_FILE_MODIFICATION | TCP_CAPABILITY_REQUIRES_ROOT |
         TCP_CAPABILITY_SYSTEM_MODIFICATION},
    {"blkdiscard", "544350020002e47054c200000c0800000064000a000103d8", true, TCP_RISK_LEVEL_HIGH,
     TCP_CAPABILITY_REQUIRES_ROOT | TCP_CAPABILITY_DESTRUCTIVE},
    {"ar", "544350020002c582dec90000151000000064000a0001046d", true, TCP_RISK_LEVEL_CRITICAL,
     TCP_CAPABILITY_FILE_MODIFICATION | TCP_CAPABILITY_REQUIRES_ROOT |
         TCP_CAPABILITY_SYSTEM_MODIFICATION},
    /* The prototype's knowledge base has 15 records without a risk bit. */
    {"col1", "5443500200028c43de7b0000040000000064000a00010386", false, 0,
     TCP_CAPABILITY_REQUIRES_ROOT},
};
#define N_VECTORS (sizeof VECTORS / sizeof VECTORS[0])

/* The prototype's default mapping, which tcp-core's default policy follows. */
static const uint32_t DEFAULT_DECISION[5] = {
    TCP_DECISION_APPROVED, TCP_DECISION_APPROVED, TCP_DECISION_CAUTION_MODE,
    TCP_DECISION_REQUIRE_APPROVAL, TCP_DECISION_REJECT,
};

static void test_names_and_version(void) {
    CHECK(tcp_version() != NULL && strlen(tcp_version()) > 0);
    CHECK_STR(tcp_decision_name(TCP_DECISION_REJECT), "REJECT");
    CHECK_STR(tcp_decision_name(TCP_DECISION_CAUTION_MODE), "CAUTION_MODE");
    CHECK_STR(tcp_risk_level_name(TCP_RISK_LEVEL_CRITICAL), "CRITICAL");
    CHECK_STR(tcp_risk_level_name(TCP_RISK_LEVEL_LOW), "LOW_RISK");
    CHECK_STR(tcp_dialect_name(TCP_DIALECT_V2_KB), "v2-kb");
    CHECK_STR(tcp_dialect_name(TCP_DIALECT_C24), "c24");
    tcp_dialect d = 99;
    CHECK_OK(tcp_dialect_from_name("V2-KB", 5, &d));
    CHECK(d == TCP_DIALECT_V2_KB);
}

static void test_status_messages(void) {
    char buf[64];
    size_t n = 0;
    CHECK_OK(tcp_status_message(TCP_STATUS_OK, buf, sizeof buf, &n));
    CHECK_STR(buf, "ok");
    CHECK(n == 2);
    CHECK_OK(tcp_status_message(TCP_STATUS_CHECKSUM_MISMATCH, buf, sizeof buf, &n));
    CHECK_STR(buf, "checksum_mismatch");
    CHECK(TCP_STATUS_CHECKSUM_MISMATCH == TCP_STATUS_CORE_OFFSET + 4);
    CHECK_OK(tcp_status_message(TCP_STATUS_NULL_PARAMETER, buf, sizeof buf, &n));
    CHECK_STR(buf, "null parameter");
    /* Exactly enough room: n + 1 bytes. */
    char exact[3];
    CHECK_OK(tcp_status_message(TCP_STATUS_OK, exact, sizeof exact, &n));
    CHECK_STR(exact, "ok");
}

static void test_validate_one(void) {
    for (size_t i = 0; i < N_VECTORS; i++) {
        const struct vector *v = &VECTORS[i];
        unsigned char rec[24];
        CHECK(hex_to_bytes(v->hex, rec, sizeof rec) == 24);
        tcp_descriptor_info info;
        memset(&info, 0xAB, sizeof info);
        tcp_status want = v->has_risk ? TCP_STATUS_OK : TCP_STATUS_NO_RISK_BIT;
        CHECK_STATUS(tcp_descriptor_validate(TCP_DIALECT_V2_KB, TCP_MODE_STRICT, rec, 24,
                                             NULL, &info),
                     want);
        /* Lenient reads accept every record of the prototype's data. */
        CHECK_OK(tcp_descriptor_validate(TCP_DIALECT_V2_KB, TCP_MODE_LENIENT, rec, 24,
                                         NULL, &info));
        CHECK(info.dialect == TCP_DIALECT_V2_KB);
        CHECK(info.has_risk == v->has_risk);
        CHECK(info.capabilities == v->capabilities);
        CHECK(info.has_command_hash);
        CHECK(memcmp(info.command_hash, rec + 6, 4) == 0);
        CHECK(info.exec_ms == 100);
        if (v->has_risk) {
            CHECK(info.risk == v->risk);
            CHECK(info.decision == DEFAULT_DECISION[v->risk]);
            CHECK(info.lenient_count == 0);
        } else {
            CHECK(info.lenient_count == 1);
        }
    }
}

static void test_validate_rejects_corruption(void) {
    unsigned char rec[24];
    hex_to_bytes(VECTORS[0].hex, rec, sizeof rec);
    tcp_descriptor_info info;
    rec[23] ^= 0x01;
    CHECK_STATUS(tcp_descriptor_validate(TCP_DIALECT_V2_KB, TCP_MODE_STRICT, rec, 24, NULL, &info),
                 TCP_STATUS_CHECKSUM_MISMATCH);
    char msg[256];
    size_t n = 0;
    CHECK_OK(tcp_last_error_message(msg, sizeof msg, &n));
    CHECK(strstr(msg, "checksum mismatch") != NULL);
    rec[23] ^= 0x01;
    rec[0] = 'X';
    CHECK_STATUS(tcp_descriptor_validate(TCP_DIALECT_V2_KB, TCP_MODE_STRICT, rec, 24, NULL, &info),
                 TCP_STATUS_BAD_MAGIC);
    CHECK_STATUS(tcp_descriptor_validate(TCP_DIALECT_V2_KB, TCP_MODE_STRICT, rec, 23, NULL, &info),
                 TCP_STATUS_WRONG_LENGTH);
    /* The same bytes are not a C24 record. */
    hex_to_bytes(VECTORS[0].hex, rec, sizeof rec);
    CHECK(tcp_descriptor_validate(TCP_DIALECT_C24, TCP_MODE_STRICT, rec, 24, NULL, &info) !=
          TCP_STATUS_OK);
}

static void test_batch(void) {
    unsigned char input[24 * N_VECTORS];
    for (size_t i = 0; i < N_VECTORS; i++) {
        hex_to_bytes(VECTORS[i].hex, input + 24 * i, 24);
    }
    uint8_t out[N_VECTORS + 2];
    memset(out, 0xEE, sizeof out);
    tcp_batch_summary summary;
    CHECK_OK(tcp_validate_batch(TCP_DIALECT_V2_KB, input, sizeof input, NULL, out, sizeof out,
                                &summary));
    CHECK(out[N_VECTORS] == 0xEE && out[N_VECTORS + 1] == 0xEE); /* untouched tail */
    CHECK(summary.records == N_VECTORS);
    CHECK(summary.invalid == 1);
    CHECK(summary.by_decision[TCP_DECISION_APPROVED] == 2);
    CHECK(summary.by_decision[TCP_DECISION_CAUTION_MODE] == 1);
    CHECK(summary.by_decision[TCP_DECISION_REQUIRE_APPROVAL] == 1);
    CHECK(summary.by_decision[TCP_DECISION_REJECT] == 1);
    for (size_t i = 0; i < N_VECTORS; i++) {
        tcp_record_outcome o;
        CHECK_OK(tcp_batch_status_decode(out[i], &o));
        CHECK(o.valid == VECTORS[i].has_risk);
        if (o.valid) {
            CHECK(o.risk == VECTORS[i].risk);
            CHECK(o.decision == DEFAULT_DECISION[VECTORS[i].risk]);
            CHECK(o.error == TCP_STATUS_OK);
        } else {
            CHECK(o.error == TCP_STATUS_NO_RISK_BIT);
        }
    }
    /* A summary is optional; a corrupted record is reported in its byte. */
    input[24 * 2 + 23] ^= 0xFF;
    CHECK_OK(tcp_validate_batch(TCP_DIALECT_V2_KB, input, sizeof input, NULL, out, N_VECTORS, NULL));
    tcp_record_outcome o;
    CHECK_OK(tcp_batch_status_decode(out[2], &o));
    CHECK(!o.valid && o.error == TCP_STATUS_CHECKSUM_MISMATCH);
    /* Zero records is a valid, empty batch. */
    CHECK_OK(tcp_validate_batch(TCP_DIALECT_V2_KB, NULL, 0, NULL, NULL, 0, &summary));
    CHECK(summary.records == 0);
}

static void test_policy(void) {
    tcp_policy *p = NULL;
    CHECK_OK(tcp_policy_new_default(&p));
    CHECK(p != NULL);
    tcp_decision d = 99;
    for (uint32_t r = 0; r < 5; r++) {
        CHECK_OK(tcp_policy_decide(p, r, 0, &d));
        CHECK(d == DEFAULT_DECISION[r]);
    }
    CHECK_OK(tcp_policy_add_deny(p, TCP_CAPABILITY_DESTRUCTIVE));
    CHECK_OK(tcp_policy_decide(p, TCP_RISK_LEVEL_SAFE, TCP_CAPABILITY_DESTRUCTIVE, &d));
    CHECK(d == TCP_DECISION_REJECT);
    CHECK_OK(tcp_policy_add_require_approval(p, TCP_CAPABILITY_NETWORK_ACCESS));
    CHECK_OK(tcp_policy_decide(p, TCP_RISK_LEVEL_LOW, TCP_CAPABILITY_NETWORK_ACCESS, &d));
    CHECK(d == TCP_DECISION_REQUIRE_APPROVAL);
    CHECK_OK(tcp_policy_set_max_approved(p, TCP_RISK_LEVEL_MEDIUM));
    CHECK_OK(tcp_policy_decide(p, TCP_RISK_LEVEL_MEDIUM, 0, &d));
    CHECK(d == TCP_DECISION_APPROVED);
    CHECK_OK(tcp_policy_set_risk_decision(p, TCP_RISK_LEVEL_HIGH, TCP_DECISION_REJECT));
    CHECK_OK(tcp_policy_decide(p, TCP_RISK_LEVEL_HIGH, 0, &d));
    CHECK(d == TCP_DECISION_REJECT);
    /* A non-monotone table is refused and the policy is unchanged. */
    CHECK_STATUS(tcp_policy_set_risk_decision(p, TCP_RISK_LEVEL_CRITICAL, TCP_DECISION_APPROVED),
                 TCP_STATUS_BAD_INPUT);
    CHECK_OK(tcp_policy_decide(p, TCP_RISK_LEVEL_CRITICAL, 0, &d));
    CHECK(d == TCP_DECISION_REJECT);
    CHECK_OK(tcp_policy_set_unknown_command(p, TCP_DECISION_REJECT));

    /* A stricter policy changes the batch decisions. */
    unsigned char rec[24];
    hex_to_bytes(VECTORS[2].hex, rec, sizeof rec); /* chmod: MEDIUM, FILE_MODIFICATION */
    tcp_policy *strict = NULL;
    const char *toml = "max_approved_risk = \"SAFE\"\ndeny = [\"FILE_MODIFICATION\"]\n";
    CHECK_OK(tcp_policy_from_toml(toml, strlen(toml), &strict));
    tcp_descriptor_info info;
    CHECK_OK(tcp_descriptor_validate(TCP_DIALECT_V2_KB, TCP_MODE_STRICT, rec, 24, strict, &info));
    CHECK(info.decision == TCP_DECISION_REJECT);
    CHECK_OK(tcp_descriptor_validate(TCP_DIALECT_V2_KB, TCP_MODE_STRICT, rec, 24, p, &info));
    CHECK(info.decision == TCP_DECISION_APPROVED);
    tcp_policy_free(strict);
    tcp_policy_free(p);
    tcp_policy_free(NULL);
}

static void test_registry(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tcp_complete.db", data_dir);
    tcp_registry *reg = NULL;
    CHECK_OK(tcp_registry_open(path, strlen(path), &reg));
    if (reg == NULL) {
        return;
    }
    size_t len = 0;
    CHECK_OK(tcp_registry_len(reg, &len));
    CHECK(len > 1000);
    for (size_t i = 0; i < N_VECTORS; i++) {
        const struct vector *v = &VECTORS[i];
        tcp_entry_info e;
        CHECK_OK(tcp_registry_lookup(reg, v->command, strlen(v->command), &e));
        unsigned char rec[24];
        hex_to_bytes(v->hex, rec, sizeof rec);
        CHECK(e.dialect == TCP_DIALECT_V2_KB);
        CHECK(e.descriptor_len == 24);
        CHECK(memcmp(e.descriptor, rec, 24) == 0);
        CHECK(e.has_risk == v->has_risk);
        CHECK(!v->has_risk || e.risk == v->risk);
        CHECK(e.capabilities == v->capabilities);
    }
    tcp_entry_info e;
    CHECK_STATUS(tcp_registry_lookup(reg, "no-such-command", 15, &e), TCP_STATUS_NOT_FOUND);
    /* The length is honoured: "lsx" with length 2 is "ls". */
    CHECK_STATUS(tcp_registry_lookup(reg, "lsx", 2, &e), TCP_STATUS_OK);
    char buf[8];
    size_t n = 99;
    CHECK_OK(tcp_registry_justification(reg, "ls", 2, buf, sizeof buf, &n));
    CHECK(n == 0 && buf[0] == '\0'); /* the prototype's data has no justifications */
    tcp_registry_free(reg);
    tcp_registry_free(NULL);

    /* The prototype's JSON export opens too, with the same entries. */
    snprintf(path, sizeof path, "%s/tcp_export.json", data_dir);
    tcp_registry *json = NULL;
    CHECK_OK(tcp_registry_open(path, strlen(path), &json));
    if (json != NULL) {
        size_t json_len = 0;
        CHECK_OK(tcp_registry_len(json, &json_len));
        CHECK(json_len == len);
        tcp_entry_info je;
        CHECK_OK(tcp_registry_lookup(json, "blkdiscard", 10, &je));
        CHECK(je.has_risk && je.risk == TCP_RISK_LEVEL_HIGH);
        CHECK((je.capabilities & TCP_CAPABILITY_DESTRUCTIVE) != 0);
        tcp_registry_free(json);
    }
}

int main(int argc, char **argv) {
    if (argc > 1) {
        data_dir = argv[1];
    }
    RUN(test_names_and_version);
    RUN(test_status_messages);
    RUN(test_validate_one);
    RUN(test_validate_rejects_corruption);
    RUN(test_batch);
    RUN(test_policy);
    RUN(test_registry);
    return HARNESS_EXIT();
}
