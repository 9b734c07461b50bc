"""Open-loop ack latency of `/alliance help`: the real bot beside a bare Bolt app, same serving;
with `--workers 1,2`, the bot with one gunicorn worker and with two behind one port."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import LoadPlan, LoadSummary, run  # noqa: E402
from bench.planning import fresh_database  # noqa: E402
from bot.sandbox.fake_slack import FakeSlack  # noqa: E402
from bot.sandbox.signed_requests import SignedRequests, sign  # noqa: E402
from tests.botprocess import SIGNING_SECRET, BotProcess, bot_environment, free_port  # noqa: E402

DEFAULT_RATES = (100, 200, 300, 400, 600, 800, 1000, 1200, 1500, 2000, 2500, 3000)
USERS = 999
CHECK_RATE = 200
CHECK_P99 = 0.050
SUSTAINED_P99 = 1.0
SUSTAINED_ERRORS = 0.01
RATIO_TARGET = 0.70
WORKERS_GAIN_TARGET = 1.3  # two workers' highest rate against one worker's
REFINE_STEPS = 2
WARM_UP_RATE = 200
QUIET_CPU = 0.05  # of one core, over SETTLE_WINDOW
SETTLE_WINDOW = 0.5
SETTLE_LIMIT = 30.0
TARGETS = ("alliance", "bare")


@dataclass(frozen=True)
class CpuUse:
    """During one run: the server's CPU in cores; the whole host's busy and stolen time as a
    fraction of all its CPUs (steal is time the hypervisor gave to other guests)."""

    server: float
    host_busy: float
    steal: float
    busiest: float  # the busiest process's share of the server's CPU (one worker's, with two)


@dataclass
class Target:
    """A server under test: where it listens and the processes whose CPU it uses."""

    name: str
    port: int
    pid: int
    log: Path
    workers: int
    results: dict[float, LoadSummary] = field(default_factory=dict)
    cpu: dict[float, CpuUse] = field(default_factory=dict)
    max_rate: float | None = None
    delivering: int | None = None  # the bot's workers holding the delivery lease, at the end

    @property
    def label(self) -> str:
        return f"{self.name} x{self.workers}"


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    threads = os.environ.get("ALLIANCE_WEB_THREADS") or "32"
    print(
        f"{os.cpu_count()} CPUs; gunicorn gthread, {'/'.join(map(str, options.workers))} "
        f"worker(s) x {threads} threads; {options.duration:g} s per rate; open loop, "
        f"{USERS} users; {'PostgreSQL' if options.postgres else 'SQLite'}"
    )
    with ExitStack() as stack:
        fake = stack.enter_context(FakeSlack())
        for i in range(1, USERS + 1):
            fake.add_user(user_id(i), name=f"user{i}", real_name=f"User {i}", tz="Europe/London")
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ack-bench-")))
        loader = stack.enter_context(
            ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        )
        targets = []
        kind = "postgresql" if options.postgres else "sqlite"
        for name, workers in planned_targets(options):
            # One target at a time, on a database of its own: each has the machine to itself.
            with ExitStack() as serving:
                url = serving.enter_context(fresh_database(kind, options.postgres))
                env = bot_environment(
                    fake.url, url, WEB_CONCURRENCY=str(workers), ALLIANCE_WEB_THREADS=threads
                )
                target = start_target(name, workers, env, scratch, serving)
                search(target, loader, fake, options)
                target.delivering = delivering(target) if name == "alliance" else None
            targets.append(target)
        log_errors = {target.label: error_lines(target.log) for target in targets}
    report(targets, log_errors)
    return 0


def planned_targets(options: argparse.Namespace) -> list[tuple[str, int]]:
    """(name, workers) of each server to measure: the bot at each worker count, the bare app
    at the first."""
    names = TARGETS if options.target == "both" else (options.target,)
    planned = [("alliance", workers) for workers in options.workers] if "alliance" in names else []
    return planned + ([("bare", options.workers[0])] if "bare" in names else [])


def delivering(target: Target) -> int:
    """How many of the bot's workers hold the delivery lease, as its /metrics adds them up."""
    with urlopen(f"http://127.0.0.1:{target.port}/metrics", timeout=5) as response:
        text = response.read().decode()
    found = re.search(r"^alliance_delivering (\S+)$", text, re.MULTILINE)
    return round(float(found.group(1))) if found else 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rates",
        type=lambda text: [float(rate) for rate in text.split(",")],
        default=list(DEFAULT_RATES),
        help="ascending offered rates (req/s) for the step search",
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per rate")
    parser.add_argument("--target", choices=(*TARGETS, "both"), default="both")
    parser.add_argument(
        "--workers",
        type=lambda text: [int(count) for count in text.split(",")],
        default=[int(os.environ.get("WEB_CONCURRENCY") or 1)],
        help="gunicorn worker counts to measure the bot at, e.g. 1,2 (default WEB_CONCURRENCY)",
    )
    parser.add_argument("--postgres", help="an admin URL; each server gets its own database")
    return parser.parse_args(argv)


def user_id(i: int) -> str:
    return f"U{i:04d}"


# ---------------------------------------------------------------------- servers
def start_target(
    name: str, workers: int, env: dict[str, str], scratch: Path, stack: ExitStack
) -> Target:
    if name == "alliance":
        bot = BotProcess(env, scratch / f"alliance-{workers}.log").start()
        stack.callback(bot.stop)
        assert bot.process is not None
        return Target(name, bot.port, bot.process.pid, bot.log_path, workers)
    port = free_port()
    log_path = scratch / "bare.log"
    log = stack.enter_context(log_path.open("ab"))
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "bare_app.py")],
        env={**env, "PORT": str(port)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    stack.callback(stop_process, process)
    wait_listening(process, port, log_path)
    return Target(name, port, process.pid, log_path, workers)


def wait_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"bare app exited early:\n{log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)  # polling a starting process
    raise RuntimeError(f"bare app did not listen on {port}:\n{log.read_text(errors='replace')}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=15)


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by a process and its direct children (gunicorn's workers)."""
    return sum(process_cpu_seconds(pid).values())


def process_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds used so far by a process and by each of its direct children."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return {p: _cpu_seconds(p) for p in (pid, *map(int, children))}


def host_cpu_seconds() -> tuple[float, float]:
    """Busy and stolen CPU seconds of the whole host so far, summed over its CPUs."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice + system + irq + softirq) / tick, steal / tick


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(target: Target) -> None:
    """Idle a second, then wait until the server's CPU is quiet (any backlog worked off)."""
    time.sleep(1.0)
    deadline = time.monotonic() + SETTLE_LIMIT
    while time.monotonic() < deadline:
        before = tree_cpu_seconds(target.pid)
        time.sleep(SETTLE_WINDOW)
        if tree_cpu_seconds(target.pid) - before < QUIET_CPU * SETTLE_WINDOW:
            return
    print(f"  ({target.name} still busy after {SETTLE_LIMIT:g} s of settling)")


# ---------------------------------------------------------------------- load
def signed_requests(port: int, response_url_base: str, count: int) -> tuple[bytes, ...]:
    """`count` `/alliance help` commands from the users in turn, signed now: valid for the next
    five minutes. Each is a request of its own (its trigger id), as Slack's are: the bot
    refuses a signature it has seen before as a replay."""
    sender = SignedRequests(
        f"http://127.0.0.1:{port}", SIGNING_SECRET, response_url_base=response_url_base
    )
    timestamp = str(int(time.time()))
    return tuple(
        raw_request(
            port,
            timestamp,
            urlencode(sender.slash_command_fields("help", user_id=user_id(1 + n % USERS))).encode(),
        )
        for n in range(count)
    )


def raw_request(port: int, timestamp: str, body: bytes) -> bytes:
    head = (
        "POST /slack/events HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"X-Slack-Request-Timestamp: {timestamp}\r\n"
        f"X-Slack-Signature: {sign(SIGNING_SECRET, timestamp, body)}\r\n"
        "User-Agent: Slackbot 1.0 (+https://api.slack.com/robots)\r\n"
        "\r\n"
    )
    return head.encode("latin-1") + body


def load_plan(target: Target, fake: FakeSlack, rate: float, duration: float) -> LoadPlan:
    count = round(rate * duration)
    requests = signed_requests(target.port, fake.response_url_base, count)
    return LoadPlan("127.0.0.1", target.port, requests, rate, duration)


def measure(
    target: Target, loader: Executor, fake: FakeSlack, rate: float, duration: float
) -> LoadSummary:
    plan = load_plan(target, fake, rate, duration)
    before, (busy_before, steal_before) = process_cpu_seconds(target.pid), host_cpu_seconds()
    summary = loader.submit(run, plan).result()
    busy, steal = host_cpu_seconds()
    used = {
        pid: seconds - before.get(pid, 0.0)
        for pid, seconds in process_cpu_seconds(target.pid).items()
    }
    capacity = summary.elapsed * (os.cpu_count() or 1)
    cpu = CpuUse(
        server=sum(used.values()) / summary.elapsed,
        host_busy=(busy - busy_before) / capacity,
        steal=(steal - steal_before) / capacity,
        busiest=max(used.values()) / (sum(used.values()) or 1.0),
    )
    target.results[rate] = summary
    target.cpu[rate] = cpu
    print(row(summary, cpu), flush=True)
    settle(target)
    return summary


def sustains(summary: LoadSummary) -> bool:
    return summary.p99 < SUSTAINED_P99 and summary.errors <= SUSTAINED_ERRORS * summary.sent


def search(target: Target, loader: Executor, fake: FakeSlack, options: argparse.Namespace) -> None:
    """Find the highest sustained rate, and make sure the 200 req/s check was measured."""
    print(f"\n{target.label}: warming up ({USERS} requests at {WARM_UP_RATE} req/s)")
    loader.submit(run, load_plan(target, fake, WARM_UP_RATE, USERS / WARM_UP_RATE)).result()
    settle(target)
    print(HEADER)

    def passes(rate: float) -> bool:
        return sustains(measure(target, loader, fake, rate, options.duration))

    target.max_rate = step_search(passes, options.rates)
    if CHECK_RATE not in target.results:
        passes(CHECK_RATE)


def step_search(passes: Callable[[float], bool], rates: list[float]) -> float | None:
    """The highest passing rate: up the ladder to the first failure, then bisect a little."""
    best = None
    for rate in rates:
        if not passes(rate):
            return refine(passes, best or 0.0, rate)
        best = rate
    return best


def refine(passes: Callable[[float], bool], low: float, high: float) -> float | None:
    for _ in range(REFINE_STEPS):
        middle = round((low + high) / 2, -1)
        if middle in (low, high):
            break
        if passes(middle):
            low = middle
        else:
            high = middle
    return low or None


# ---------------------------------------------------------------------- report
HEADER = (
    f"{'offered/s':>9} {'achieved/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6} "
    f"{'conns':>5} {'server':>6} {'ms/req':>6} {'client':>6} {'host':>5} {'steal':>5} "
    f"{'lag ms':>6} {'busiest':>7}"
)
LEGEND = (
    "server, client: CPU of the server's processes and of the load generator (100% = one core);"
    "\nhost: the whole machine busy, steal: taken by the hypervisor (100% = all cores);"
    "\nms/req: the server's CPU milliseconds per request answered;"
    "\nconns: connections opened; lag: the load generator's worst delay behind its schedule;"
    "\nbusiest: the busiest server process's share of the server's CPU."
)


def row(summary: LoadSummary, cpu: CpuUse) -> str:
    cpu_per_request = 1e3 * cpu.server / summary.achieved if summary.achieved else 0.0
    return (
        f"{summary.offered:>9g} {summary.achieved:>10.0f} {summary.p50 * 1e3:>7.1f} "
        f"{summary.p99 * 1e3:>7.1f} {summary.max * 1e3:>7.0f} {summary.errors:>6d} "
        f"{summary.connections:>5d} {cpu.server:>6.0%} {cpu_per_request:>6.2f} "
        f"{summary.client_cpu:>6.0%} "
        f"{cpu.host_busy:>5.0%} {cpu.steal:>5.0%} {summary.send_lag_max * 1e3:>6.1f} "
        f"{cpu.busiest:>7.0%}"
    )


def error_lines(log: Path) -> list[str]:
    """ERROR lines in a server's log: failures the acks do not show (e.g. background work)."""
    return [line for line in log.read_text(errors="replace").splitlines() if "ERROR" in line]


def report(targets: list[Target], log_errors: dict[str, list[str]]) -> None:
    print(
        "\n== Results (latency from scheduled send to full response; errors: non-200, "
        "connection failure or > 3 s)"
    )
    print(LEGEND)
    for target in targets:
        print(f"\n{target.label}\n{HEADER}")
        for rate in sorted(target.results):
            print(row(target.results[rate], target.cpu[rate]))
        lines = log_errors[target.label]
        print(f"{len(lines)} ERROR lines in the {target.label} server's log")
        if lines:
            print(f"  first: {lines[0][:160]}")
    print()
    for target in targets:
        check = target.results[CHECK_RATE]
        verdict = "PASS" if check.p99 < CHECK_P99 and check.errors == 0 else "FAIL"
        print(
            f"{verdict} {target.label}: {CHECK_RATE} req/s: p99 < {CHECK_P99 * 1e3:g} ms and "
            f"0 errors (p99 {check.p99 * 1e3:.1f} ms, {check.errors} errors)"
        )
    for target in targets:
        highest = "none" if target.max_rate is None else f"{target.max_rate:g} req/s"
        print(f"{target.label}: highest rate with p99 < {SUSTAINED_P99:g} s: {highest}")
    bots = {target.workers: target for target in targets if target.name == "alliance"}
    for target in bots.values():
        verdict = "PASS" if target.delivering == 1 else "FAIL"
        print(f"{verdict} {target.label}: one worker delivers (/metrics: {target.delivering})")
    if 1 in bots and 2 in bots and bots[1].max_rate:
        gain = (bots[2].max_rate or 0.0) / bots[1].max_rate
        verdict = "PASS" if gain >= WORKERS_GAIN_TARGET else "FAIL"
        print(f"{verdict} alliance: 2 workers >= {WORKERS_GAIN_TARGET:g}x 1 worker ({gain:.2f}x)")
    bare = next((target for target in targets if target.name == "bare"), None)
    if bare is not None and bare.max_rate and bare.workers in bots:
        ratio = (bots[bare.workers].max_rate or 0.0) / bare.max_rate
        verdict = "PASS" if ratio >= RATIO_TARGET else "FAIL"
        print(
            f"{verdict} alliance x{bare.workers}: max rate >= {RATIO_TARGET:.0%} of bare "
            f"(alliance/bare = {ratio:.0%})"
        )


if __name__ == "__main__":
    sys.exit(main())
