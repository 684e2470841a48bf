#!/bin/sh
# TLS to a shared store's database is libpq's: sslmode, sslrootcert and
# the rest of the connection string pass through untouched
# (doc/shared-stores.md, "TLS"). A throwaway CA signs a certificate for
# localhost; a throwaway server (scripts/pg-test-server.sh) listens on
# 127.0.0.1 with ssl=on and accepts TCP logins over TLS only (hostssl).
# With sslmode=verify-full and the CA, `mlops init` makes a store and the
# store opens again through its mlops.conf; with another CA as the root
# the open fails with MLOPS_EIO, the message naming the server and the
# failed verification. Skips (77) without openssl.
# usage: tests/tls_pg.sh MLOPS_COMMAND
set -eu
[ $# -eq 1 ] || { echo "usage: $0 MLOPS_COMMAND" >&2; exit 2; }
mlops=$1
here=$(cd "$(dirname "$0")" && pwd)
command -v openssl >/dev/null 2>&1 || { echo "1..0 # SKIP no openssl"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlops-tls.XXXXXX")
chmod 711 "$tmp" # the server (nobody, when we are root) reaches srv/ inside
cleanup() {
    "$here/../scripts/pg-test-server.sh" stop "$tmp/srv" || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# Two CAs: the one that signs the server's certificate, and a stranger.
tls=$tmp/srv/tls
mkdir -p "$tls"
for ca in ca other; do
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 2 \
        -subj "/CN=mlops test $ca" -keyout "$tls/$ca.key" -out "$tls/$ca.crt" 2>/dev/null
done
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/CN=localhost" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\n' > "$tls/ext.cnf"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" \
    -CAcreateserial -days 2 -extfile "$tls/ext.cnf" -out "$tls/server.crt" 2>/dev/null
chmod 600 "$tls/server.key"
# Local socket for the superuser; over TCP, TLS or nothing.
printf 'local all all trust\nhostssl all all 127.0.0.1/32 trust\n' > "$tls/hba.conf"
# The server runs as nobody when we are root (pg-test-server.sh).
[ "$(id -u)" -ne 0 ] || chown -R nobody "$tmp/srv"

# A port of our own: a few tries from one that depends on our pid.
port=$((20000 + $$ % 20000))
started=""
for _ in 1 2 3 4 5; do
    if MLOPS_PG_SERVER_OPTS="-c listen_addresses=127.0.0.1 -p $port -c ssl=on \
-c ssl_cert_file=$tls/server.crt -c ssl_key_file=$tls/server.key -c hba_file=$tls/hba.conf" \
        "$here/../scripts/pg-test-server.sh" start "$tmp/srv" >/dev/null 2>"$tmp/start.err"; then
        started=1
        break
    fi
    "$here/../scripts/pg-test-server.sh" stop "$tmp/srv" || true
    rm -rf "$tmp/srv/data"
    port=$((port + 1))
done
[ -n "$started" ] || { cat "$tmp/start.err" >&2; exit 1; }

echo "1..3"
good="host=localhost port=$port dbname=postgres user=mlops sslmode=verify-full sslrootcert=$tls/ca.crt"
if "$mlops" init --metadata "$good" --objects "$tmp/objects" "$tmp/store" >"$tmp/init.out" 2>&1; then
    echo "ok 1 - verify-full with the server's CA: the store is made"
else
    echo "not ok 1 - verify-full with the server's CA"; sed 's/^/# /' "$tmp/init.out"; exit 1
fi

# The connection string is kept as given, and it is what the next open uses.
printf 'hello\n' > "$tmp/hello.txt"
if grep -q "sslmode=verify-full sslrootcert=$tls/ca.crt" "$tmp/store/mlops.conf" &&
    "$mlops" -C "$tmp/store" put "$tmp/hello.txt" >"$tmp/put.out" 2>&1; then
    echo "ok 2 - mlops.conf keeps the TLS settings; the store opens through them"
else
    echo "not ok 2 - reopening over TLS"; sed 's/^/# /' "$tmp/put.out" "$tmp/store/mlops.conf"; exit 1
fi

# The same store through a root that did not sign the server's certificate.
mkdir "$tmp/wrong"
sed "s|sslrootcert=$tls/ca.crt|sslrootcert=$tls/other.crt|" "$tmp/store/mlops.conf" \
    > "$tmp/wrong/mlops.conf"
# A certificate that does not verify is no reason to retry: the refusal
# comes at once, not after the busy timeout (60 s).
began=$(date +%s)
if "$mlops" -C "$tmp/wrong" stat >"$tmp/wrong.out" 2>&1; then
    echo "not ok 3 - a server certificate from another CA was accepted"; exit 1
fi
took=$(( $(date +%s) - began ))
if grep -q "cannot connect to the PostgreSQL server localhost port $port" "$tmp/wrong.out" &&
    grep -q "certificate verify failed" "$tmp/wrong.out" &&
    grep -q "(input/output error)" "$tmp/wrong.out" && [ "$took" -lt 20 ]; then
    echo "ok 3 - another CA as the root: MLOPS_EIO at once, naming the server and the failed verification"
else
    echo "not ok 3 - the refusal (after ${took} s)"; sed 's/^/# /' "$tmp/wrong.out"; exit 1
fi
