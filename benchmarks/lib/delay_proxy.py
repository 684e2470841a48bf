#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that adds a network's round trip: each read
from a client is held DELAY_MS before it goes on to the server, while
answers flow back at once. A request and its answer then take DELAY_MS
longer, as they do with a server across a network (an S3 region is
10-50 ms away), and a long answer streams at loopback speed. For the
benchmarks only (benchmarks/s3/run.sh, DELAY_MS).

usage: delay_proxy.py SERVER_PORT DELAY_MS
Prints the port it listens on, then serves until killed."""
import collections
import socket
import sys
import threading
import time


def close_both(a, b):
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def pump(src, dst):
    """Answers: on at once."""
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    try:
        while True:
            n = src.recv_into(buf)
            if not n:
                break
            dst.sendall(view[:n])
    except OSError:
        pass
    finally:
        close_both(src, dst)


def delayed_pump(src, dst, hold):
    """Requests: each read goes on `hold` seconds after it arrived. A
    second thread sends, so that reading goes on meanwhile: the bytes are
    late, the bandwidth is the same."""
    queue = collections.deque()
    ready = threading.Condition()

    def send():
        try:
            while True:
                with ready:
                    while not queue:
                        ready.wait()
                    due, data = queue.popleft()
                if data is None:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            close_both(src, dst)

    threading.Thread(target=send, daemon=True).start()
    try:
        while True:
            data = src.recv(1 << 20)
            with ready:
                queue.append((time.monotonic() + hold, data or None))
                ready.notify()
            if not data:
                break
    except OSError:
        with ready:
            queue.append((0, None))
            ready.notify()


def main():
    server_port, hold = int(sys.argv[1]), float(sys.argv[2]) / 1000
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(64)
    print(lst.getsockname()[1], flush=True)
    while True:
        client, _ = lst.accept()
        try:
            server = socket.create_connection(("127.0.0.1", server_port))
        except OSError:
            client.close()
            continue
        for s in (client, server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=delayed_pump, args=(client, server, hold), daemon=True).start()
        threading.Thread(target=pump, args=(server, client), daemon=True).start()


if __name__ == "__main__":
    main()
