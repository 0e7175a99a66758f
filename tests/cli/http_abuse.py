#!/usr/bin/env python3
"""Abuse the /metrics server from 127.0.0.2 (slowloris, garbage, huge
headers, bodies), check that a scrape from 127.0.0.1 still works at once and
that the slow connections are cut by the server. usage: http_abuse.py PORT.
Prints 'name: ok|FAIL detail' lines; exit 1 on any FAIL."""
import socket
import sys
import time
import urllib.request

port = int(sys.argv[1])
fails = 0


def check(name, cond, detail=""):
    global fails
    print(f"{name}: {'ok' if cond else 'FAIL'} {detail}")
    if not cond:
        fails += 1


def conn(src="127.0.0.2"):
    s = socket.socket()
    s.settimeout(3)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def scrape(timeout=3):
    t = time.time()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=timeout) as r:
        body = r.read()
    return r.status, len(body), time.time() - t


# 1. slowloris: 40 connections from one address sending a header byte now and then
slow = []
for i in range(40):
    try:
        s = conn()
        s.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        slow.append(s)
    except OSError:
        pass
st, n, dt = scrape()
check("scrape during slowloris", st == 200 and n > 1000, f"({st}, {n} bytes, {dt*1000:.0f} ms)")
# 2. garbage and broken requests
for payload in [b"\x00\xff\xfe" * 1000, b"GET " + b"/a" * 20000 + b" HTTP/1.1\r\n\r\n",
                b"GET /metrics HTTP/1.1\r\nX: " + b"y" * 200000 + b"\r\n\r\n",
                b"POST /metrics HTTP/1.1\r\nContent-Length: 100000000\r\n\r\nxxxx",
                b"GET /metrics HTTP/9.9\r\n\r\n", b"\r\n\r\n\r\n", b"GET\r\n\r\n"]:
    try:
        s = conn("127.0.0.1")
        s.sendall(payload)
        s.recv(100)
    except OSError:
        pass
    finally:
        s.close()
st, n, dt = scrape()
check("scrape after garbage", st == 200 and n > 1000, f"({dt*1000:.0f} ms)")
# 3. the server cuts idle slow connections (timeout 5 s)
t0 = time.time()
closed = 0
deadline = t0 + 9
for s in slow:
    s.settimeout(max(0.1, deadline - time.time()))
    try:
        while time.time() < deadline:
            data = s.recv(100)
            if not data:
                closed += 1
                break
    except socket.timeout:
        pass
    except OSError:
        closed += 1
    s.close()
check("slow connections closed by the server (per-address cap or idle timeout)", closed >= len(slow) * 0.9,
      f"({closed}/{len(slow)} in {time.time()-t0:.1f} s)")
# 4. a burst of normal scrapes
okc = sum(1 for _ in range(50) if scrape()[0] == 200)
check("50 scrapes in a row", okc == 50)
sys.exit(1 if fails else 0)
