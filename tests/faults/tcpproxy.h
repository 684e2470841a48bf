/* Test-only TCP proxy (tcpproxy.c): listens on 127.0.0.1 and forwards
 * every connection to a server, in a thread of the test program, and on
 * command breaks connections the way networks and servers do: drops them
 * (RST to the client, FIN to the server), stalls them, refuses new ones,
 * or drops one right before or right after it forwards a client message
 * that contains a byte pattern (a PostgreSQL COMMIT, an S3 PUT; or such
 * a message once the connection sent another pattern), or changes a byte
 * of such a message. Nothing in it knows a protocol. */
#ifndef MLOPS_TEST_TCPPROXY_H
#define MLOPS_TEST_TCPPROXY_H

#include <stddef.h>

typedef struct tproxy tproxy;

/* What an armed pattern does to the connection whose client sent it. */
#define TP_DROP_AFTER  1 /* forward the bytes up to the pattern's end, then drop */
#define TP_DROP_BEFORE 2 /* drop without forwarding the chunk that holds it */
#define TP_FLIP        3 /* forward it with its last byte changed (bits on the way
                          * going wrong), and keep the connection */

/* Starts forwarding 127.0.0.1:<ephemeral port> to host:port. 0 or -1
 * (message on stderr). */
int tproxy_start(const char *host, int port, tproxy **out);
/* The port it listens on. */
int tproxy_port(const tproxy *p);
/* Drops every open connection now. */
void tproxy_drop_all(tproxy *p);
/* on: stops moving bytes (both ways) until called with 0. */
void tproxy_stall(tproxy *p, int on);
/* on: accepts and at once closes new connections until called with 0. */
void tproxy_refuse(tproxy *p, int on);
/* One shot: the next client-to-server data that contains pattern (at
 * most 64 bytes; it may span reads) gets action on its connection. */
void tproxy_arm(tproxy *p, const void *pattern, size_t len, int action);
/* As tproxy_arm, but pattern counts only on a connection that sent
 * `after` (at most 64 bytes) since this call, and only past it: the
 * COMMIT of the transaction that ran a given statement, say, and not of
 * the transactions before it. */
void tproxy_arm_after(tproxy *p, const void *after, size_t nafter, const void *pattern,
                      size_t len, int action);
/* How many armed patterns fired so far. */
int tproxy_fired(tproxy *p);
/* Connections accepted so far. */
int tproxy_accepted(tproxy *p);
/* Closes everything and joins the thread. NULL is a no-op. */
void tproxy_stop(tproxy *p);

#endif
