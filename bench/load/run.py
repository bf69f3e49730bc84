"""`make bench-load`: the service under locust against gunicorn, beside the bare-Django floor.

1. Database LOAD_DATABASE (PostgreSQL, name `cp_*_load`) filled to LOAD_CHILDREN synthetic children
   with `manage.py generate_children` (resumable: only the missing children are generated).
2. LOAD_PRACTITIONERS practitioners with an authenticator (prepare.py); the floor gets the same
   usernames and password in its own database (bench/floor/prepare.py).
3. Gunicorn (config/gunicorn.py, LOAD_WORKERS workers) serves the service on 127.0.0.1:8101 and the
   floor on 127.0.0.1:8102 (LOAD_APP_PORT, LOAD_FLOOR_PORT: two runs side by side); every practitioner signs in through the real pages (signin.py).
4. Locust, headless, LOAD_USERS concurrent users for LOAD_SECONDS each:
   a. the realistic mix against the service (searches, purpose, record views, involvement);
   b. searches only against the service;  c. the same searches against the floor.
5. Reports throughput, p50/p95/p99 and errors for each, audit events written vs requests (each
   count must be equal, else the run fails), and the service/floor ratios for (b)/(c).
   d. with LOAD_RATE > 0, the same searches at that fixed offered rate (searches a second in all),
      against the service and then the floor: the p95 ratio at a load both can serve.
6. With LOAD_KILL=1, a last phase repeats the mix and SIGKILLs one gunicorn worker half-way:
   errors must not exceed the requests the killed worker held (one: sync workers), no audit event
   may be lost (events >= successful requests) or duplicated (events <= requests).
The audit checkpoint watcher runs throughout, as in production; the run ends with `verify_audit`.
"""

import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "var" / "bench-load"
PY = str(ROOT / ".venv" / "bin" / "python")
LOAD_VENV = ROOT / "var" / "load-venv" / "bin"
PG = os.environ.get("LOAD_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("LOAD_DATABASE", "cp_bench_load")
FLOOR_DATABASE = DATABASE.removesuffix("_load") + "_floor"
# The load database's signed audit heads, apart from `make run`'s: one directory per audit log.
HEADS = OUT / f"audit-heads-{DATABASE}"
CHILDREN = int(os.environ.get("LOAD_CHILDREN", "50000"))
USERS = int(os.environ.get("LOAD_USERS", "16"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
WORKERS = os.environ.get("LOAD_WORKERS", "5")
REDIS = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/12")
KILL = os.environ.get("LOAD_KILL", "0") == "1"
RATE = float(os.environ.get("LOAD_RATE", "0"))  # fixed offered rate of the "rate" phases; 0: none
APP_PORT = int(os.environ.get("LOAD_APP_PORT", "8101"))
FLOOR_PORT = int(os.environ.get("LOAD_FLOOR_PORT", "8102"))
# Each journey step writes exactly one audit event of its tag.
AUDITED = {
    "search": ("child:search:performed", "child:search:throttled"),
    "purpose:ask": ("child:record:purpose_asked",),
    "record:view": ("child:record:viewed",),
    "involvement:record": ("child:involvement:recorded",),
}


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"{PG}/{DATABASE}",
        FLOOR_DATABASE_URL=f"{PG}/{FLOOR_DATABASE}",
        REDIS_URL=REDIS,
        PYTHONPATH=str(ROOT),
        # The load database's own signed heads, apart from `make run`'s (one directory per log).
        AUDIT_HEAD_EXPORT_DIR=str(HEADS),
    )
    env.update(extra)
    return env


def _run(*args: str, **extra: str) -> str:
    done = subprocess.run(args, cwd=ROOT, env=_env(**extra), check=True, capture_output=True, text=True)
    return done.stdout


def _psql(database: str, sql: str) -> str:
    return _run("psql", f"{PG}/{database}", "-Atc", sql).strip()


def database_ready() -> None:
    if not (DATABASE.startswith("cp_") and DATABASE.endswith("_load")):
        raise SystemExit("LOAD_DATABASE must be named cp_*_load: the bench writes synthetic data into it")
    for name in (DATABASE, FLOOR_DATABASE):
        if not _psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
            _run("createdb", f"--maintenance-db={PG}/postgres", name)
            if name == DATABASE:
                shutil.rmtree(HEADS, ignore_errors=True)  # a new log: heads of a dropped one do not apply
    if not (ROOT / "var" / "vault-keys.json").exists():
        raise SystemExit("no var/vault-keys.json: run `make secrets` first")
    _run(PY, "manage.py", "migrate", "--noinput", "-v0")
    have = int(_psql(DATABASE, "SELECT count(*) FROM children_child"))
    if have < CHILDREN:
        print(f"generating {CHILDREN - have:,} children (have {have:,})", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [
                PY,
                "manage.py",
                "generate_children",
                "--count",
                str(CHILDREN - have),
                "--seed",
                "7",
                "--skip",
                str(have),
            ],
            cwd=ROOT,
            env=_env(),
            check=True,
        )
        print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    _psql(DATABASE, "ANALYZE")  # fresh planner statistics, whoever loaded the rows
    size = _psql(DATABASE, "SELECT pg_size_pretty(pg_database_size(current_database()))")
    print(f"database {DATABASE}: {CHILDREN:,}+ children, {size}")
    print(_run(PY, "bench/load/prepare.py").strip())
    print(_run(PY, "bench/floor/prepare.py").strip())


def _serve(app: str, port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "config/gunicorn.py", app],
        cwd=ROOT,
        env=_env(
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS=WORKERS,
            DJANGO_SETTINGS_MODULE="bench.floor.settings" if "floor" in app else "config.settings.local",
        ),
        start_new_session=True,
    )
    for _ in range(120):
        if server.poll() is not None:  # the port taken, say: never measure someone else's server
            raise SystemExit(f"gunicorn on {port} exited ({server.returncode})")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/none", timeout=2)
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn on {port} did not start")


def _kill_one_worker(master: int, after: float, killed: list[int]) -> None:
    """SIGKILL one gunicorn worker (a child of the master) `after` seconds from now."""
    time.sleep(after)
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if children:
        os.kill(int(children[0]), signal.SIGKILL)
        killed.append(int(children[0]))


_TICK = os.sysconf("SC_CLK_TCK")


def _workers(master: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def _cpu_by_pid(master: int, databases: tuple[str, ...]) -> dict[int, float]:
    """CPU seconds (user + system) so far of each gunicorn worker of `master` and each PostgreSQL
    backend connected to `databases`: what one side of the comparison costs the machine, whatever
    else runs on it (wall time on a shared machine measures the other jobs too)."""
    pids = _workers(master)
    names = ", ".join(f"'{d}'" for d in databases)
    backends = _psql(
        "postgres",
        f"SELECT pid FROM pg_stat_activity WHERE datname IN ({names}) AND backend_type = 'client backend'"
        " AND pid <> pg_backend_pid()",
    )
    pids += [int(p) for p in backends.split()]
    cpu = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone since listed
            continue
        cpu[pid] = (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
    return cpu


class _CpuWatch:
    """CPU seconds spent by one side's workers and backends during a phase, read twice a second so a
    backend that closes mid-phase (CONN_MAX_AGE) loses at most its last half second; a process new
    since the start counts from zero."""

    def __init__(self, master: int, databases: tuple[str, ...]) -> None:
        self.master, self.databases = master, databases
        self.workers = set(_workers(master))
        self.start = _cpu_by_pid(master, databases)
        self.last = dict(self.start)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        while not self.done.wait(0.5):
            self.workers.update(_workers(self.master))
            self.last.update(_cpu_by_pid(self.master, self.databases))

    def stop(self) -> tuple[float, float]:
        """CPU seconds of (the gunicorn workers, their PostgreSQL backends) since the start."""
        self.done.set()
        self.thread.join()
        self.workers.update(_workers(self.master))
        self.last.update(_cpu_by_pid(self.master, self.databases))
        spent = {pid: seconds - self.start.get(pid, 0.0) for pid, seconds in self.last.items()}
        workers = sum(seconds for pid, seconds in spent.items() if pid in self.workers)
        return workers, sum(spent.values()) - workers


def _audit_counts() -> dict[str, int]:
    rows = _psql(DATABASE, "SELECT tag, count(*) FROM audit_auditevent GROUP BY tag")
    return {tag: int(n) for tag, n in (line.split("|") for line in rows.splitlines() if line)}


def _locust(target: str, mix: str, port: int) -> dict[str, object]:
    subprocess.run(
        [
            str(LOAD_VENV / "locust"),
            "-f",
            "bench/load/locustfile.py",
            "--headless",
            "--only-summary",
            "-u",
            str(USERS),
            "-r",
            str(USERS),
            "-t",
            f"{SECONDS}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--stop-timeout",
            "30",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=_env(
            LOAD_TARGET=target,
            LOAD_MIX=mix,
            LOAD_SEARCH_PATH="/search/" if target == "floor" else "/children/search/",
            LOAD_USERS=str(USERS),
            LOAD_RATE=str(RATE),
        ),
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=(OUT / f"locust-{target}-{mix}.log").open("w"),
    )
    return dict(json.loads((OUT / f"locust-{target}-{mix}.json").read_text()))


def _by_step(stats: dict[str, object], key: str = "requests") -> dict[str, int]:
    steps: dict[str, int] = {}
    for entry in stats["stats"]:  # type: ignore[attr-defined]
        step = "search" if entry["name"].startswith("search:") else entry["name"]
        steps[step] = steps.get(step, 0) + entry[key]
    return steps


def _line(label: str, stats: dict[str, object], seconds: int) -> str:
    return (
        f"{label:<28}{stats['requests']:>8}{stats['failures']:>7}{int(stats['requests']) / seconds:>9.1f}"  # type: ignore[call-overload]
        f"{stats['p50']:>8.0f}{stats['p95']:>8.0f}{stats['p99']:>8.0f}"
    )


def main() -> int:
    database_ready()
    app = _serve("config.wsgi:application", APP_PORT)
    floor = _serve("bench.floor.wsgi:application", FLOOR_PORT)
    watcher = subprocess.Popen(
        [PY, "manage.py", "audit_checkpoint", "--watch"],
        cwd=ROOT,
        env=_env(),
        stdout=(OUT / "audit-checkpoint.log").open("w"),
    )
    results: dict[str, object] = {}
    ok = True
    try:
        print(
            _run(
                str(LOAD_VENV / "python"), "bench/load/signin.py", f"http://127.0.0.1:{APP_PORT}", "app"
            ).strip()
        )
        print(
            _run(
                str(LOAD_VENV / "python"),
                "bench/load/signin.py",
                f"http://127.0.0.1:{FLOOR_PORT}",
                "floor",
                "--floor",
            ).strip()
        )
        print(f"locust: {USERS} users, {SECONDS} s per phase, gunicorn {WORKERS} sync workers each\n")
        header = (
            f"{'phase':<28}{'requests':>8}{'errors':>7}{'req/s':>9}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        )
        lines = [header]
        audit_lines = []
        cpu_lines = []
        phases = [
            ("service: realistic mix", "app", "full", APP_PORT),
            ("service: searches only", "app", "search", APP_PORT),
            ("floor: same searches", "floor", "search", FLOOR_PORT),
        ]
        if RATE > 0:
            phases.append((f"service: searches {RATE:g}/s", "app", "rate", APP_PORT))
            phases.append((f"floor: searches {RATE:g}/s", "floor", "rate", FLOOR_PORT))
        if KILL:
            phases.append(("service: mix, kill -9 a worker", "app", "kill", APP_PORT))
        for label, target, mix, port in phases:
            before = _audit_counts() if target == "app" else {}
            floor_before = int(_psql(FLOOR_DATABASE, "SELECT count(*) FROM floor_flooraudit"))
            killed: list[int] = []
            master, watched = (
                (app.pid, (DATABASE,)) if target == "app" else (floor.pid, (FLOOR_DATABASE, DATABASE))
            )
            watch = _CpuWatch(master, watched)
            if mix == "kill":
                threading.Thread(target=_kill_one_worker, args=(app.pid, SECONDS / 2, killed)).start()
            stats = _locust(target, mix, port)
            app_cpu, db_cpu = watch.stop()
            cpu = app_cpu + db_cpu
            per = 1000 / max(1, int(stats["requests"]))  # type: ignore[call-overload]
            stats["cpu_ms_per_request"] = cpu * per
            stats["cpu_ms_per_request_app"] = app_cpu * per
            stats["cpu_ms_per_request_db"] = db_cpu * per
            results[f"{target}-{mix}"] = stats
            cpu_lines.append(
                f"  {label}: {cpu:.1f} CPU s for {stats['requests']} requests,"
                f" {stats['cpu_ms_per_request']:.1f} ms a request (workers {app_cpu * per:.1f},"
                f" PostgreSQL {db_cpu * per:.1f}); load average {os.getloadavg()[0]:.1f}"
            )
            lines.append(_line(label, stats, SECONDS))
            steps, failed = _by_step(stats), _by_step(stats, key="failures")
            kinds: dict[str, int] = stats["failure_kinds"]  # type: ignore[assignment]
            # Never a server error; a dropped connection only for a request a killed worker held;
            # refusals are the misuse rules suspending someone (counted, reported, not a failure).
            ok &= kinds["server_error"] == 0 and kinds["other"] == 0
            ok &= int(stats["requests"]) > 0  # type: ignore[call-overload]  # a phase that sent nothing proves nothing
            ok &= kinds["dropped"] <= len(killed) and (mix != "kill" or len(killed) == 1)
            audit_lines.append(
                f"  {label}: failures {kinds}" + (f", worker {killed} killed" if mix == "kill" else "")
            )
            if target == "app":
                after = _audit_counts()
                for step, tags in AUDITED.items():
                    written = sum(after.get(t, 0) - before.get(t, 0) for t in tags)
                    sent, succeeded = steps.get(step, 0), steps.get(step, 0) - failed.get(step, 0)
                    # A killed request may have committed its event before dying: never fewer
                    # events than successes (lost), never more than requests (duplicated).
                    # Refused requests (a suspended practitioner) are audited as refusals, not searches,
                    # except the search whose own misuse screen suspended the searcher: it ran and is
                    # audited, then answered with the refusal. So: successes, plus at most the refusals.
                    refused = kinds["refused"] if step == "search" else 0
                    ok &= (
                        succeeded <= written <= succeeded + refused
                        if mix != "kill"
                        else succeeded <= written <= sent
                    )
                    audit_lines.append(
                        f"  {label}: {step:<20} requests {sent:>7}  succeeded {succeeded:>7}  audit events {written:>7}"
                    )
                misuse = after.get("oversight:misuse:suspected", 0) - before.get(
                    "oversight:misuse:suspected", 0
                )
                audit_lines.append(f"  {label}: misuse signals raised {misuse}")
            else:
                written = int(_psql(FLOOR_DATABASE, "SELECT count(*) FROM floor_flooraudit")) - floor_before
                ok &= written == steps.get("search", 0)
                audit_lines.append(
                    f"  {label}: {'search':<20} requests {steps.get('search', 0):>7}  audit rows {written:>7}"
                )
        print("\n".join(lines))
        print(
            "\nCPU of the gunicorn workers and their PostgreSQL backends (a search: POST + GET on the service):"
        )
        print("\n".join(cpu_lines))
        print("\naudit events written vs requests (must be equal):")
        print("\n".join(audit_lines))
        service, bare = results["app-search"], results["floor-search"]
        throughput = float(service["requests"]) / max(1.0, float(bare["requests"]))  # type: ignore[index]
        p95 = float(service["p95"]) / max(1.0, float(bare["p95"]))  # type: ignore[index]
        print(
            f"\nservice/floor, searches only: throughput {throughput:.2f}x (target >= 0.7), p95 {p95:.2f}x (target <= 2)"
        )
        if RATE > 0:
            fixed: dict[str, dict[str, float]] = {
                side: {k: float(results[f"{side}-rate"][k]) for k in ("requests", "p50", "p95")}  # type: ignore[index]
                for side in ("app", "floor")
            }
            p95 = fixed["app"]["p95"] / max(1.0, fixed["floor"]["p95"])
            p50 = fixed["app"]["p50"] / max(1.0, fixed["floor"]["p50"])
            print(
                f"service/floor, searches at a fixed {RATE:g}/s: p50 {p50:.2f}x, p95 {p95:.2f}x (target <= 2);"
                f" offered {RATE * SECONDS:.0f} searches, served {fixed['app']['requests']:.0f}"
                f" and {fixed['floor']['requests']:.0f}"
            )
        (OUT / "result.json").write_text(json.dumps(results, indent=1))
    finally:
        watcher.terminate()
        watcher.wait(timeout=60)
        for server in (app, floor):
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    _run(PY, "manage.py", "audit_checkpoint")
    verified = subprocess.run([PY, "manage.py", "verify_audit"], cwd=ROOT, env=_env(), check=False)
    print(f"verify_audit: {'passed' if verified.returncode == 0 else 'FAILED'}")
    ok &= verified.returncode == 0
    if not ok:
        print("FAILED: audit events and requests differ")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
