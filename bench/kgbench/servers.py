"""The servers a bench run starts and stops: keygate and a throw-away
PostgreSQL cluster."""

import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

from kgbench.common import (
    QUIET_CPU_S,
    QUIET_S,
    ROOT,
    SERVER_CPU,
    SETTLE_MAX_S,
    USE_COALESCE_S,
    die,
    free_port,
    log,
    proc_cpu_s,
    proc_status)


class Keygate:
    def __init__(self, binary, db, workdir, access_log, threads=1,
                 cache=None, profile="tuned", role="serving", extra=(),
                 log_name="server.log"):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = os.path.join(workdir, log_name)
        self.role = role
        self.db_cpu = None
        cmd = [binary, "serve", "--db", db,
               "--listen", "127.0.0.1:%d" % self.port, "--issuer", self.url,
               "--use-coalesce", str(USE_COALESCE_S)]
        if profile == "tuned":
            cmd = ["taskset", "-c", SERVER_CPU] + cmd + [
                "--threads", str(threads),
                "--access-log=%d" % (1 if access_log else 0)]
        elif threads != 1:
            cmd += ["--threads", str(threads)]
        if cache is not None:
            cmd += ["--token-cache", str(cache)]
        cmd += list(extra)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("KEYGATE_")}
        # no /metrics listener: two servers may run at once, and a
        # variable, unlike a flag, is ignored by builds from before it
        env["KEYGATE_METRICS_LISTEN"] = "off"
        # every server of a size signs with the same keys (the nodes of
        # one store must: PostgreSQL's default is the working directory);
        # a secret, deleted with the store
        env["KEYGATE_KEY_FILE"] = os.path.join(workdir, "keygate.key")
        self.log = open(self.log_path, "a")
        log("  $ " + " ".join(cmd))
        self.proc = subprocess.Popen(cmd, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/ping", timeout=1).read()
                break
            except (urllib.error.URLError, OSError):
                if self.proc.poll() is not None or time.time() > deadline:
                    self.stop()
                    die("keygate did not start; " + self.tail())
                time.sleep(0.1)
        # measure the steady state: once the cache is filled from the
        # store (its log line), as a restarted node would be; a commit
        # from before that filling has no such line, nor a slot's size in
        # --token-cache's help (whatever the size: 40 bytes, 44 since
        # resources)
        helptext = subprocess.run([binary, "serve", "--help"],
                                  capture_output=True, text=True).stdout
        fills = re.search(r"--token-cache N[^\n]* bytes each", helptext)
        deadline = time.time() + 600
        while fills and \
                "token cache:" not in self.tail(50):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                die("keygate did not fill its token cache; " + self.tail())
            time.sleep(0.2)
        for line in self.tail(50).splitlines():
            if "token cache:" in line:
                log("  " + line.strip())

    def status(self):
        return proc_status(self.proc.pid)

    def cpu_s(self):
        return proc_cpu_s(self.proc.pid)

    def cpu_split(self):
        """(keygate's CPU seconds, its database's): the database's are
        every process of the throw-away cluster's, for a server on
        PostgreSQL (set db_cpu), else 0."""
        return (self.cpu_s(),
                self.db_cpu() if self.db_cpu else CpuSnapshot())

    def settle(self):
        """Waits until the server has logged and folded the uses of the
        run that just ended; returns the CPU seconds that took, which the
        run's route pays for."""
        t0, c0 = time.time(), self.cpu_s()
        seen = [(t0, c0)]
        while time.time() - t0 < SETTLE_MAX_S:
            time.sleep(QUIET_S / 4)
            t, c = time.time(), self.cpu_s()
            seen.append((t, c))
            old = [x for x in seen if x[0] <= t - QUIET_S]
            if t - t0 >= USE_COALESCE_S and old and \
                    c - old[-1][1] < QUIET_CPU_S:
                return old[-1][1] - c0
        return seen[-1][1] - c0

    def tail(self, n=20):
        try:
            with open(self.log_path) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def stop(self):
        # every keygate process of the run counts for the memory figure
        self.final = dict(self.status(), role=self.role)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class CpuSnapshot(dict):
    def __sub__(self, before):
        return sum(v - before.get(p, 0.0) for p, v in self.items())


class Postgres:
    """A throw-away cluster (scripts/pg_cluster.sh), made durable for the
    bench: the script writes fsync, synchronous_commit and full_page_writes
    off into its own include file on every start; ALTER SYSTEM writes
    postgresql.auto.conf, which is read after every include and so wins,
    and all three settings take a reload."""

    def __init__(self):
        # under /tmp: the server runs as the postgres user, which must
        # reach the folder, and its socket path must stay short
        self.dir = "/tmp/keygate-bench-pg-%d" % os.getpid()
        script = os.path.join(ROOT, "scripts", "pg_cluster.sh")
        self.script = script
        self.admin = subprocess.run([script, "start", self.dir], check=True,
                                    capture_output=True,
                                    text=True).stdout.strip()
        self.sql("ALTER SYSTEM SET fsync = on")
        self.sql("ALTER SYSTEM SET synchronous_commit = on")
        self.sql("ALTER SYSTEM SET full_page_writes = on")
        self.sql("SELECT pg_reload_conf()")
        time.sleep(1)
        got = {k: self.sql("SHOW " + k) for k in
               ("fsync", "synchronous_commit", "full_page_writes")}
        if any(v != "on" for v in got.values()):
            self.destroy()
            die("PostgreSQL did not take the durable settings: %s" % got)
        self.settings = got
        self.version = self.sql("SHOW server_version")

    def pin(self, cpus):
        """Puts every process of the cluster on `cpus`; backends forked
        later inherit it from the postmaster. While measuring, the
        database is server side: core 0, with keygate, away from wrk."""
        pm, kids = self.pids()
        for pid in [pm] + kids:
            subprocess.run(["taskset", "-a", "-p", "-c", cpus, str(pid)],
                           check=False, capture_output=True)

    def pids(self):
        with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
            pm = int(f.readline().strip())
        kids = subprocess.run(["pgrep", "-P", str(pm)], capture_output=True,
                              text=True).stdout.split()
        return pm, [int(k) for k in kids]

    def cpu_s(self):
        """The CPU seconds of every live process of the cluster, by
        process: subtracting an earlier one gives what the cluster spent
        meanwhile. A process that ended meanwhile counts for nothing (the
        backends of bench/fill.c, ending after it, spent their time
        before), one that began counts whole (an autovacuum worker)."""
        pm, kids = self.pids()
        return CpuSnapshot({p: proc_cpu_s(p) for p in [pm] + kids})

    def commits(self, db):
        """Transactions committed in database `db` so far."""
        return int(self.sql("SELECT xact_commit FROM pg_stat_database "
                            "WHERE datname = '%s'" % db))

    def sql(self, q, db=None):
        url = self.admin if db is None else self.admin.rsplit("/", 1)[0] + \
            "/" + db
        return subprocess.run(["psql", "-X", "-A", "-t", "-q", url, "-c", q],
                              check=True, capture_output=True,
                              text=True).stdout.strip()

    def fresh_db(self, name):
        self.sql("DROP DATABASE IF EXISTS %s" % name)
        self.sql("CREATE DATABASE %s" % name)
        return self.admin.rsplit("/", 1)[0] + "/" + name

    def destroy(self):
        subprocess.run([self.script, "destroy", self.dir], check=False)
