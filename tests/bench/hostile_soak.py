#!/usr/bin/env python3
"""The hostile soak: a normal client's steady load while every attack of docs/security.md runs at
once, for MINUTES. Every 10 s it samples the server's RSS and open descriptors and the normal
client's p99, and writes them to OUT/soak.csv (plotted by prodmcp_plot_series). It passes when the
normal client lost no request and RSS stayed under the ceiling.

    tests/bench/hostile_soak.py build-ci/bin/prodmcp-server --minutes 30 \
        --plot build-ci/bin/prodmcp_plot_series --png docs/hostile-soak.png

Traffic goes to 127.0.0.1 only. The normal client connects from 127.0.0.1; the attackers from
127.0.0.2 and 127.0.0.3 (all of 127/8 is loopback), so the per-address connection cap they run
into is theirs. Standard library only.
"""
import argparse
import asyncio
import base64
import hashlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter

NORMAL_TOKEN = "normal-" + os.urandom(8).hex()
ATTACKER_TOKEN = "attacker-" + os.urandom(8).hex()
ADMIN_TOKEN = "admin-" + os.urandom(8).hex()
SAMPLE_SECONDS = 10


def token_hash(token):
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpConnection:
    """One keep-alive HTTP/1.1 connection: enough of a client for JSON and SSE answers."""

    def __init__(self, port, source="127.0.0.1"):
        self.port, self.source = port, source
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port, local_addr=(self.source, 0))

    def close(self):
        if self.writer:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method, path, headers=(), body=b""):
        if self.writer is None:
            await self.open()
        if isinstance(body, str):
            body = body.encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{name}: {value}" for name, value in headers]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        return await self.read_response()

    async def read_response(self):
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = (await self.reader.readline()).decode("latin-1").rstrip("\r\n")
            if not line:
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                body += await self.reader.readexactly(size)
                await self.reader.readexactly(2)
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body


def mcp_headers(token=None, session=None, version="2025-11-25"):
    headers = [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream"),
               ("MCP-Protocol-Version", version)]
    if token:
        headers.append(("Authorization", f"Bearer {token}"))
    if session:
        headers.append(("Mcp-Session-Id", session))
    return headers


def rpc(method, params=None, id=1):
    message = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        message["params"] = params
    return json.dumps(message)


def result_of(headers, body):
    """The JSON-RPC answer in a JSON or SSE body."""
    if headers.get("content-type", "").startswith("text/event-stream"):
        for line in body.decode().splitlines():
            if line.startswith("data:") and line[5:].strip():
                message = json.loads(line[5:])
                if "result" in message or "error" in message:
                    return message
        return {}
    return json.loads(body) if body else {}


async def open_session(connection, token, capabilities=None, name="soak"):
    status, headers, body = await connection.request(
        "POST", "/mcp", mcp_headers(token),
        rpc("initialize", {"protocolVersion": "2025-11-25", "capabilities": capabilities or {},
                           "clientInfo": {"name": name, "version": "1"}}))
    session = headers.get("mcp-session-id")
    if status == 200 and session:
        await connection.request("POST", "/mcp", mcp_headers(token, session),
                                 json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
    return status, session


class Soak:
    def __init__(self, args):
        self.args = args
        self.port, self.admin_port = free_port(), free_port()
        self.deadline = 0
        self.latencies = []  # the normal client's, this window
        self.normal_ok = self.normal_failed = 0
        self.failures = Counter()  # what the normal client saw go wrong
        self.attacks = Counter()  # (attack, outcome) -> count
        self.samples = []
        self.big_round = 0  # big_capabilities alternates a refused and a kept size

    def running(self):
        return time.monotonic() < self.deadline

    def count(self, attack, outcome):
        self.attacks[(attack, str(outcome))] += 1

    # The server -------------------------------------------------------------------------------
    def start_server(self, work):
        config = os.path.join(work, "soak.toml")
        with open(config, "w") as f:
            f.write(f"""
[server]
listen = "127.0.0.1:{self.port}"
admin_listen = "127.0.0.1:{self.admin_port}"
admin_token_hash = "{token_hash(ADMIN_TOKEN)}"
max_sessions = 20000
session_idle_timeout_s = 60

[auth]
enabled = true
clients = {{ normal = "{token_hash(NORMAL_TOKEN)}", attacker = "{token_hash(ATTACKER_TOKEN)}" }}

[rate_limit]
enabled = true
requests_per_minute = 30000

[limits]
header_timeout_ms = 5000
""")
        self.log = open(os.path.join(work, "server.log"), "w")
        self.server = subprocess.Popen([self.args.server, "--config", config, "--profile", "staging"],
                                       stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the server did not start; see " + self.log.name)

    def rss_mb(self):
        with open(f"/proc/{self.server.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0

    def open_fds(self):
        return len(os.listdir(f"/proc/{self.server.pid}/fd"))

    # The normal client: its own process, so the attackers' work never delays its measurements --
    async def normal_client(self, lane, rate, token):
        connection = HttpConnection(self.port)
        _, session = await open_session(connection, token, name=f"normal-{lane}")
        interval, next_at, n = 1 / rate, time.monotonic(), 0
        while self.running():
            next_at += interval
            await asyncio.sleep(max(0, next_at - time.monotonic()))
            n += 1
            started = time.monotonic()
            try:
                status, headers, body = await connection.request(
                    "POST", "/mcp", mcp_headers(token, session),
                    rpc("tools/call", {"name": "echo", "arguments": {"message": f"{lane}-{n}"}}, id=n))
                answer = result_of(headers, body)
                text = answer.get("result", {}).get("structuredContent", {}).get("message")
                if status == 200 and text == f"{lane}-{n}":
                    self.normal_ok += 1
                    self.latencies.append(time.monotonic() - started)
                    continue
                self.failures[f"HTTP {status}: {body[:120]!r}"] += 1
            except Exception as error:  # a lost request, whatever the cause
                self.failures[f"{type(error).__name__}: {error}"] += 1
                connection.close()
            self.normal_failed += 1

    async def normal_windows(self):
        """Prints one JSON line per window: calls answered, lost, and the p99."""
        while self.running():
            await asyncio.sleep(SAMPLE_SECONDS)
            latencies, self.latencies = sorted(self.latencies), []
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else None
            print(json.dumps({"ok": self.normal_ok, "failed": self.normal_failed, "p99_ms": p99,
                              "failures": dict(self.failures)}), flush=True)
            self.normal_ok = self.normal_failed = 0
            self.failures.clear()

    async def run_normal(self, token):
        self.deadline = time.monotonic() + self.args.minutes * 60
        await asyncio.gather(self.normal_windows(),
                             *(self.normal_client(lane, self.args.normal_rate / 4, token) for lane in range(4)))

    # The attacks (each one loop, bounded by the rate limit and its own pace) --------------------
    async def attack_loop(self, name, pace, source, step):
        connection = HttpConnection(self.port, source)
        while self.running():
            try:
                outcome = await step(connection)
            except Exception as error:
                outcome = type(error).__name__
                connection.close()
            self.count(name, outcome)
            await asyncio.sleep(pace)

    async def big_capabilities(self, connection):  # item 1: 0.5 MB of capabilities, then just under the cap
        self.big_round += 1
        blob = "x" * (500_000 if self.big_round % 2 else 15_000)
        status, session = await open_session(connection, ATTACKER_TOKEN, {"experimental": {"blob": blob}}, name="big")
        return f"{status} {'kept' if session else 'refused'}"

    async def subscriptions(self, connection):  # item 2: more subscriptions than a session may hold
        _, session = await open_session(connection, ATTACKER_TOKEN)
        codes = Counter()
        for i in range(1100):
            if not self.running():
                break
            _, headers, body = await connection.request(
                "POST", "/mcp", mcp_headers(ATTACKER_TOKEN, session),
                rpc("resources/subscribe", {"uri": f"prodmcp://nowhere/{i}/" + "u" * 200}, id=i))
            codes[result_of(headers, body).get("error", {}).get("code", "ok")] += 1
        return ",".join(f"{k}x{v}" for k, v in sorted(codes.items(), key=str))

    async def in_flight(self, connection):  # item 2: more slow calls in flight than a session may have
        _, session = await open_session(connection, ATTACKER_TOKEN)
        connections = [HttpConnection(self.port, "127.0.0.2") for _ in range(300)]
        call = rpc("tools/call", {"name": "simulate_workload", "arguments": {"duration_ms": 3000, "steps": 1}})

        async def one(c):
            try:
                status, headers, body = await c.request("POST", "/mcp", mcp_headers(ATTACKER_TOKEN, session), call)
                return result_of(headers, body).get("error", {}).get("code", status)
            finally:
                c.close()
        outcomes = await asyncio.gather(*(one(c) for c in connections), return_exceptions=True)
        return ",".join(f"{k}x{v}" for k, v in sorted(Counter(map(str, outcomes)).items()))

    async def log_bloat(self, connection):  # item 3: long values and rejected requests for the log
        _, session = await open_session(connection, ATTACKER_TOKEN)
        await connection.request("POST", "/mcp", mcp_headers(ATTACKER_TOKEN, session),
                                 rpc("tools/call", {"name": "t" * 200_000, "arguments": {}}))
        await connection.request("POST", "/mcp", mcp_headers(ATTACKER_TOKEN, session), rpc("m" * 100_000))
        status_401, _, _ = await connection.request("POST", "/mcp", mcp_headers("wrong-token"), rpc("ping"))
        status_404, _, _ = await connection.request("GET", "/" + "p" * 8000, [])
        return f"{status_401}/{status_404}"

    async def too_large(self, connection):  # 413, 431 and a JSON nesting bomb
        status_413, _, _ = await connection.request("POST", "/mcp", mcp_headers(ATTACKER_TOKEN), "[" * 1_100_000)
        if connection.writer is None:
            await connection.open()
        status_431, _, _ = await connection.request("GET", "/mcp", [("X-Big", "h" * 20_000)])
        connection.close()
        _, headers, body = await connection.request("POST", "/mcp", mcp_headers(ATTACKER_TOKEN), "[" * 100_000 + "]" * 100_000)
        return f"{status_413}/{status_431}/{result_of(headers, body).get('error', {}).get('code')}"

    async def batches(self, connection):  # item 2: a 2025-03-26 batch far past the message cap
        _, session = await open_session(connection, ATTACKER_TOKEN)
        batch = json.dumps([{"jsonrpc": "2.0", "id": i, "method": "ping"} for i in range(5000)])
        status, _, _ = await connection.request("POST", "/mcp", mcp_headers(ATTACKER_TOKEN, session, "2025-03-26"), batch)
        return status

    async def streams(self, connection):  # item 4: listen and GET streams opened and abandoned
        meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
        raw = HttpConnection(self.port, "127.0.0.2")
        await raw.open()
        body = rpc("subscriptions/listen", {"notifications": {"toolsListChanged": True}, "_meta": meta}).encode()
        headers = mcp_headers(ATTACKER_TOKEN, version="2026-07-28") + [("Mcp-Method", "subscriptions/listen")]
        head = ["POST /mcp HTTP/1.1", f"Host: 127.0.0.1:{self.port}", f"Content-Length: {len(body)}"] + [f"{n}: {v}" for n, v in headers]
        raw.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await raw.writer.drain()
        first = await asyncio.wait_for(raw.reader.readline(), 10)
        raw.close()  # gone without a word
        _, session = await open_session(connection, ATTACKER_TOKEN)
        get = HttpConnection(self.port, "127.0.0.2")
        await get.open()
        get.writer.write(f"GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nAccept: text/event-stream\r\nAuthorization: Bearer "
                         f"{ATTACKER_TOKEN}\r\nMcp-Session-Id: {session}\r\nLast-Event-ID: {'9' * 300}\r\n\r\n".encode())
        await get.writer.drain()
        await asyncio.wait_for(get.reader.readline(), 10)
        get.close()
        return first.split()[1].decode() if first else "closed"

    async def stateless_forgeries(self, connection):  # items 10 and 16: forged request state, bad headers
        meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}
        headers = mcp_headers(ATTACKER_TOKEN, version="2026-07-28") + [
            ("Mcp-Method", "tools/call"), ("Mcp-Name", "=?base64?" + base64.b64encode(b"not-echo").decode() + "?=")]
        _, h, body = await connection.request("POST", "/mcp", headers, rpc("tools/call", {
            "name": "echo", "arguments": {"message": "x"}, "requestState": "forged." + "A" * 5000, "_meta": meta}))
        return result_of(h, body).get("error", {}).get("code")

    async def admin_attack(self, connection):  # item 5: the admin port without its token, from a web page
        admin = HttpConnection(self.admin_port, connection.source)
        try:
            logs, _, _ = await admin.request("GET", "/logs", [])
            config, _, _ = await admin.request("GET", "/config", [("Authorization", "Bearer wrong")])
            faults, _, _ = await admin.request("PUT", "/faults", [("Content-Type", "text/plain"), ("Origin", "https://evil.example")],
                                               '{"latency_ms":5000}')
            ready, _, _ = await admin.request("GET", "/ready", [])
            return f"{logs}/{config}/{faults}/{ready}"
        finally:
            admin.close()

    async def slowloris(self, count):  # item 7: headers dripped a line every 2 s, never finished
        async def one():
            while self.running():
                writer = None
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", self.port, local_addr=("127.0.0.2", 0))
                    writer.write(f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n".encode())
                    line = b""
                    while self.running() and not line:
                        try:
                            line = await asyncio.wait_for(reader.readline(), 2)  # the server's answer, if any
                            if not line:
                                break  # closed without one
                        except asyncio.TimeoutError:
                            writer.write(b"X-Drip: y\r\n")
                            await writer.drain()
                    if self.running():
                        self.count("slowloris", line.split()[1].decode() if line else "closed")
                except Exception as error:
                    self.count("slowloris", type(error).__name__)
                    await asyncio.sleep(1)
                finally:
                    if writer:
                        writer.close()
        await asyncio.gather(*(one() for _ in range(count)))

    async def connection_flood(self):  # item 7: past the per-address connection cap
        while self.running():
            writers, refused = [], 0
            for _ in range(1100):
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", self.port, local_addr=("127.0.0.3", 0))
                    writers.append((reader, writer))
                except OSError:
                    refused += 1
            await asyncio.sleep(3)
            refused_by_server = sum(1 for reader, _ in writers if reader.at_eof() or len(reader._buffer))
            self.count("connection_flood", f"held {len(writers) - refused_by_server}, refused {refused_by_server + refused}")
            for _, writer in writers:
                writer.close()
            await asyncio.sleep(5)

    async def reloads(self):  # item 8: SIGHUP while everything else runs
        while self.running():
            await asyncio.sleep(5)
            self.server.send_signal(signal.SIGHUP)
            self.count("sighup_reload", "sent")

    # Sampling: each window of the normal client, with the server's RSS and descriptors then ------
    async def sampler(self, started, normal):
        while True:
            line = await normal.stdout.readline()
            if not line:
                break
            window = json.loads(line)
            self.normal_ok += window["ok"]
            self.normal_failed += window["failed"]
            self.failures.update(window["failures"])
            p99 = window["p99_ms"]
            sample = {"seconds": round(time.monotonic() - started), "rss_mb": round(self.rss_mb(), 1),
                      "open_fds": self.open_fds(), "normal_p99_ms": round(p99, 2) if p99 is not None else float("nan"),
                      "normal_ok": window["ok"], "normal_failed": window["failed"]}
            self.samples.append(sample)
            print(json.dumps(sample), flush=True)

    async def run(self):
        started = time.monotonic()
        self.deadline = started + self.args.minutes * 60
        normal = await asyncio.create_subprocess_exec(
            sys.executable, __file__, self.args.server, "--role", "normal", "--port", str(self.port),
            "--token", NORMAL_TOKEN, "--minutes", str(self.args.minutes), "--normal-rate", str(self.args.normal_rate),
            stdout=asyncio.subprocess.PIPE)
        a2 = "127.0.0.2"
        tasks = [
            self.attack_loop("big_capabilities", 0.05, a2, self.big_capabilities),
            self.attack_loop("subscriptions", 1, a2, self.subscriptions),
            self.attack_loop("in_flight", 1, a2, self.in_flight),
            self.attack_loop("log_bloat", 0.02, a2, self.log_bloat),
            self.attack_loop("too_large", 0.1, a2, self.too_large),
            self.attack_loop("batches", 0.2, a2, self.batches),
            self.attack_loop("streams", 0.1, a2, self.streams),
            self.attack_loop("stateless_forgeries", 0.02, a2, self.stateless_forgeries),
            self.attack_loop("admin_port", 0.05, a2, self.admin_attack),
            self.slowloris(200), self.connection_flood(), self.reloads(), self.sampler(started, normal)]
        await asyncio.gather(*tasks)
        await normal.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("server")
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--out", default="soak-out")
    parser.add_argument("--rss-ceiling-mb", type=float, default=256)
    parser.add_argument("--plot", help="prodmcp_plot_series, to draw the samples")
    parser.add_argument("--png", help="where the plot goes (default: OUT/soak.png)")
    parser.add_argument("--normal-rate", type=float, default=100, help="the normal client's calls per second")
    parser.add_argument("--role", default="soak", help=argparse.SUPPRESS)  # "normal": the normal client process
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "normal":
        soak = Soak(args)
        soak.port = args.port
        asyncio.run(soak.run_normal(args.token))
        return
    # The attackers hold some 1,600 sockets at once.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    os.makedirs(args.out, exist_ok=True)
    soak = Soak(args)
    with tempfile.TemporaryDirectory() as work:
        soak.start_server(work)
        try:
            asyncio.run(soak.run())
        finally:
            soak.server.send_signal(signal.SIGTERM)
            code = soak.server.wait(60)
            with open(soak.log.name) as f:
                log_bytes = len(f.read())
    with open(os.path.join(args.out, "soak.csv"), "w") as f:
        f.write("seconds,server RSS (MB),server open descriptors,normal client p99 (ms)\n")
        for s in soak.samples:
            f.write(f"{s['seconds']},{s['rss_mb']},{s['open_fds']},{s['normal_p99_ms']}\n")
    if args.plot:
        subprocess.run([args.plot, os.path.join(args.out, "soak.csv"), args.png or os.path.join(args.out, "soak.png"),
                        f"Hostile soak, {args.minutes:g} min", f"server RSS (MB)={args.rss_ceiling_mb:g}"], check=True)
    peak_rss = max(s["rss_mb"] for s in soak.samples)
    summary = {
        "minutes": args.minutes, "normal_ok": soak.normal_ok, "normal_failed": soak.normal_failed,
        "normal_failures": dict(soak.failures), "peak_rss_mb": peak_rss, "rss_ceiling_mb": args.rss_ceiling_mb,
        "peak_open_fds": max(s["open_fds"] for s in soak.samples),
        "worst_p99_ms": max((s["normal_p99_ms"] for s in soak.samples if s["normal_p99_ms"] == s["normal_p99_ms"]),
                            default=None),
        "server_exit": code, "server_log_bytes": log_bytes,
        "attacks": {f"{name} -> {outcome}": n for (name, outcome), n in sorted(soak.attacks.items())},
    }
    with open(os.path.join(args.out, "soak.json"), "w") as f:
        json.dump({"summary": summary, "samples": soak.samples}, f, indent=1)
    print(json.dumps(summary, indent=1))
    passed = soak.normal_failed == 0 and peak_rss < args.rss_ceiling_mb and code == 0
    print("PASS" if passed else "FAIL")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
