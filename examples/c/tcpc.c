/*
 * tcpc: sends requests to a tcpd socket and prints the answers.
 *
 *   tcpc SOCKET_PATH < requests
 *
 * Sends all of stdin, then closes its writing side and prints everything
 * tcpd answers until tcpd closes the connection. No libtcp needed.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n <= 0) {
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOCKET_PATH < requests\n", argv[0]);
        return 2;
    }
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "tcpc: socket path too long\n");
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("tcpc: connect");
        return 1;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        if (write_all(fd, buf, n) != 0) {
            perror("tcpc: write");
            close(fd);
            return 1;
        }
    }
    shutdown(fd, SHUT_WR);
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0) {
        fwrite(buf, 1, (size_t)got, stdout);
    }
    close(fd);
    return got < 0 ? 1 : 0;
}
