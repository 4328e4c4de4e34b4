"""`keygate client` against a real keygate on the test clock (docs/REFERENCE.md
§3, §4; docs/CLIENT.md): log-in through the loopback redirect, the token file,
refreshes on the two timers and on a 401, clear errors. Nothing sleeps:
the server's and the client's clocks move together (clientkit.World)."""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

import kgtest
from clientkit import H, World, mode, query_of
from oauthkit import challenge_of, introspection, revoke

MARGIN = 120        # the library's default safety margin


@pytest.fixture
def world(make_server, tmp_path):
    return World(make_server, tmp_path)


def test_login_prints_url_with_state_and_pkce_and_saves_private_file(world):
    url, out, err = world.login("--scope", "account_read")
    q = query_of(url)
    assert q["response_type"] == "code" and q["client_id"] == world.app.key
    assert q["code_challenge_method"] == "S256"
    assert len(q["code_challenge"]) == 43 and len(q["state"]) >= 32
    assert q["redirect_uri"].startswith("http://127.0.0.1:")
    assert q["redirect_uri"].endswith("/callback")
    assert q["scope"] == "account_read"
    assert mode(world.file) == 0o600
    assert not os.path.exists(world.file + ".tmp")
    t = world.tokens()
    assert t["access_token"].startswith("kg_at_")
    assert t["refresh_token"].startswith("kg_rt_")
    assert t["last_used"] == 0 and t["expires_in"] == H
    # the secret and the tokens are never printed by login
    for secret in (world.app.secret, t["access_token"], t["refresh_token"]):
        assert secret not in out + err
    assert world.refreshes() == 0


def test_two_logins_use_fresh_state_and_verifier(world):
    p1, url1 = world.start_login()
    world.browse(url1)
    p1.communicate(timeout=30)
    assert p1.returncode == 0
    p2, url2 = world.start_login()
    world.browse(url2)
    p2.communicate(timeout=30)
    assert p2.returncode == 0
    a, b = query_of(url1), query_of(url2)
    assert a["state"] != b["state"]
    assert a["code_challenge"] != b["code_challenge"]


def test_call_and_token_work_and_print_no_secret(world):
    world.login()
    r = world.call_ok()
    assert json.loads(r.stdout)["email"] == world.user.email
    t = world.tokens()
    assert t["refresh_token"] not in r.stdout + r.stderr
    assert t["access_token"] not in r.stdout + r.stderr
    r = world.cli("token")
    assert r.returncode == 0 and r.stdout.strip() == t["access_token"]
    assert world.app.secret not in r.stdout + r.stderr
    assert world.refreshes() == 0


def test_idle_two_hours_refreshes_before_the_call(world):
    world.login()
    world.call_ok()
    used = world.tokens()
    assert used["last_used"] > 0
    old = used["access_token"]
    # just inside the idle timer (less the margin): no refresh
    world.advance(2 * H - MARGIN - 5)
    world.call_ok()
    assert world.refreshes() == 0
    assert world.tokens()["access_token"] == old
    # 2 h idle since that call: refreshed before the call, never a 401
    world.advance(2 * H)
    world.call_ok()
    assert world.refreshes() == 1
    assert world.tokens()["access_token"] != old
    assert world.rejected_calls() == 0
    assert not active(world, old)      # the server agrees


def active(world, token):
    """What the server says of the token (introspection: a DPoP-bound one
    would fail a Bearer check whatever its timers)."""
    return introspection(world.app, token)["active"]


def test_24_hours_refresh_even_when_used_constantly(world):
    world.login()
    first = world.tokens()
    world.call_ok()
    seen = {first["access_token"]}
    for _ in range(26 * 2):         # a call every 30 minutes for 26 h
        world.advance(1800)
        world.call_ok()
        seen.add(world.tokens()["access_token"])
    # the idle timer never ran out; the 24 h one did, once in 26 h
    assert world.refreshes() == 1
    assert len(seen) == 2
    assert world.rejected_calls() == 0


def test_unused_token_past_one_hour_is_refreshed(world):
    world.login()
    old = world.tokens()["access_token"]
    world.advance(H)
    r = world.cli("token")
    assert r.returncode == 0, r.stderr
    new = r.stdout.strip()
    assert new != old and world.refreshes() == 1
    assert world.tokens()["access_token"] == new
    assert active(world, new)
    assert not active(world, old)


def test_unused_token_just_under_one_hour_less_margin_is_kept(world):
    world.login()
    old = world.tokens()["access_token"]
    world.advance(H - MARGIN - 5)
    r = world.cli("token")
    assert r.returncode == 0 and r.stdout.strip() == old
    assert world.refreshes() == 0


def test_a_401_triggers_exactly_one_refresh_and_a_retry(world):
    world.login()
    world.call_ok()
    old = world.tokens()["access_token"]
    # the timers say the token is fine; the server no longer takes it
    assert revoke(world.app, old).status_code == 200
    world.call_ok()
    assert world.refreshes() == 1
    assert world.rejected_calls() == 1
    assert world.tokens()["access_token"] != old


class Always401(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):
        type(self).hits += 1
        self.send_response(401)
        self.send_header("WWW-Authenticate",
                         'Bearer error="invalid_token"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_401_after_the_retry_is_an_error_not_a_loop(world):
    world.login()
    api = ThreadingHTTPServer(("127.0.0.1", 0), Always401)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{api.server_address[1]}/anything"
        r = world.call(url)
    finally:
        api.shutdown()
    assert r.returncode == 6, (r.returncode, r.stderr)
    assert "even after a refresh" in r.stderr
    assert Always401.hits == 2
    assert world.refreshes() == 1


def test_revoked_grant_gives_a_clear_error_and_nonzero_exit(world):
    world.login()
    world.call_ok()
    r = requests.delete(world.srv.url(f"/api/v1/connections/{world.app.key}"),
                        headers=kgtest.bearer(world.user.pat), timeout=10)
    assert r.status_code == 204, r.text
    # straight away: a 401, one refresh refused, no retry loop
    r = world.call()
    assert r.returncode == 3, (r.returncode, r.stderr)
    assert "revoked" in r.stderr and "login" in r.stderr
    assert world.refreshes() == 1
    # later, when the timer ran out: refused before any call is made
    world.advance(2 * H)
    r = world.cli("token")
    assert r.returncode == 3 and r.stdout == ""
    assert "revoked" in r.stderr
    t = world.tokens()
    for secret in (world.app.secret, t["access_token"], t["refresh_token"]):
        assert secret not in r.stderr
    assert world.refreshes() == 2


def test_wrong_secret_is_reported_as_such(world):
    p, url = world.start_login(secret="kg_sk_" + "x" * 43)
    world.browse(url)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 4, (p.returncode, err)
    assert "secret was refused" in err and "invalid_client" in err
    assert "x" * 43 not in out + err
    assert not os.path.exists(world.file)


# --- the secret never on the command line (issue 18, item 10) -------------

def test_secret_on_the_command_line_is_refused(world):
    """`ps` shows every user a command line: --secret is a usage error
    that names the two ways that work, and nothing is started."""
    for flag in (["--secret", world.app.secret],
                 [f"--secret={world.app.secret}"]):
        r = kgtest.run_cli("client", "login", "--issuer", world.srv.base,
                           "--api-key", world.app.key, "--file", world.file,
                           "--timeout", "5", *flag)
        assert r.returncode == 2, (r.returncode, r.stderr)
        assert "KEYGATE_CLIENT_SECRET" in r.stderr, r.stderr
        assert "--secret-stdin" in r.stderr, r.stderr
        assert world.app.secret not in r.stdout + r.stderr
        assert "oauth2/authorize" not in r.stdout, "no log-in started"
        assert not os.path.exists(world.file)


def test_login_with_the_secret_on_standard_input(world):
    url, out, err = world.login(secret_via="stdin")
    assert world.tokens()["refresh_token"].startswith("kg_rt_")
    assert world.app.secret not in out + err


def test_login_with_the_secret_in_the_environment(world):
    url, out, err = world.login(secret_via="env")
    assert world.tokens()["refresh_token"].startswith("kg_rt_")
    assert world.app.secret not in out + err


def test_secret_stdin_without_a_line_is_a_usage_error(world):
    for stdin in ("", "\n", "x" * 5000 + "\n"):
        r = kgtest.run_cli("client", "login", "--issuer", world.srv.base,
                           "--api-key", world.app.key, "--file", world.file,
                           "--timeout", "5", "--secret-stdin", input=stdin)
        assert r.returncode == 2, (r.returncode, r.stderr)
        assert "standard input" in r.stderr, r.stderr
        assert not os.path.exists(world.file)


def test_a_redirect_with_another_state_is_refused(world):
    p, url = world.start_login()
    q = query_of(url)
    r = requests.get(f"{q['redirect_uri']}?code=abc&state=forged"
                     f"&iss={world.srv.base}", timeout=10)
    assert r.status_code == 200
    out, err = p.communicate(timeout=30)
    assert p.returncode == 1 and "state" in err, err
    assert not os.path.exists(world.file)


def test_listener_ignores_other_paths_and_denial_is_reported(world):
    p, url = world.start_login()
    q = query_of(url)
    base = q["redirect_uri"].rsplit("/", 1)[0]
    assert requests.get(base + "/favicon.ico", timeout=10).status_code == 404
    r = world.user.get(url[len(world.srv.base):])
    assert r.status_code == 200
    from oauthkit import submit_grant
    r = submit_grant(world.user, r.text, "deny")
    requests.get(r.headers["Location"], timeout=10)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 1 and "access_denied" in err, err


def test_status_names_the_timer_that_runs_out_first(world):
    world.login()
    r = world.cli("status")
    assert r.returncode == 0, r.stderr
    assert "never" in r.stdout and "unused timer" in r.stdout
    assert r.stdout.rstrip().endswith("unused")
    world.call_ok()
    r = world.cli("status")
    assert "idle timer" in r.stdout and r.stdout.rstrip().endswith("idle")
    for _ in range(15):             # a call every 90 minutes: 22.5 h
        world.advance(5400)
        world.call_ok()
    r = world.cli("status")
    assert r.stdout.rstrip().endswith("max"), r.stdout
    t = world.tokens()
    assert t["access_token"] not in r.stdout


def test_status_and_token_without_login(world):
    r = world.cli("status")
    assert r.returncode == 3 and "log in" in r.stderr


def test_token_file_readable_by_others_is_refused(world):
    world.login()
    os.chmod(world.file, 0o644)
    r = world.cli("token")
    assert r.returncode == 1 and "0600" in r.stderr


def test_two_processes_needing_a_refresh_make_one(world):
    world.login()
    world.call_ok()
    world.advance(2 * H)
    argv = [kgtest.BINARY, "client", "call", world.summary_url, "--file",
            world.file]
    env = dict(kgtest.clean_env(), **world.env)
    import subprocess
    procs = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    for p in procs:
        out, err = p.communicate(timeout=30)
        assert p.returncode == 0, err
    assert world.refreshes() == 1
    assert world.rejected_calls() == 0


def test_call_passes_method_headers_and_data(world):
    world.login()
    r = world.call(world.srv.url("/oauth2/check"), "-X", "GET", "-H",
                   "Accept: application/json")
    assert r.returncode == 0, r.stderr
    r = world.call(world.summary_url, "-d", "a=1")
    assert r.returncode == 6 and "HTTP 405" in r.stderr


def test_bad_usage_exits_2(world):
    assert world.cli("call").returncode == 2
    assert kgtest.run_cli("client", "login", "--issuer",
                          world.srv.base).returncode == 2
    assert kgtest.run_cli("client", "frobnicate").returncode == 2


def test_public_app_logs_in_with_pkce_alone(make_server, tmp_path):
    w = World(make_server, tmp_path, secret=False)
    w.login()
    w.call_ok()
    w.advance(2 * H)
    w.call_ok()
    assert w.refreshes() == 1
    assert "secret" not in w.tokens()


SCRIPT = """
set -eu
n=0
while read -r _; do
    n=$((n + 1))
    keygate client call "$URL" > "$OUT.$n"
    echo "$n ok"
done
"""


def test_a_shell_script_keeps_calling_across_simulated_days(world):
    """The done-when of the issue for scripts: `keygate client call` in a
    loop, days of test clock between and among the calls, and not one
    call fails nor sends an expired token."""
    world.login()
    env = dict(kgtest.clean_env(), **world.env,
               URL=world.summary_url, OUT=os.path.join(world.dir, "out"),
               KEYGATE_CLIENT_FILE=world.file,
               PATH=os.path.dirname(kgtest.BINARY) + ":" + os.environ["PATH"])
    import subprocess
    p = subprocess.Popen(["bash", "-c", SCRIPT], env=env, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    gaps = [0, 3500, 7200, 600, 7000, 25 * H, 1800, 1800, 9000, H, 5000,
            7100, 7300, 86400, 100, 4000] + [1800] * 50
    for n, gap in enumerate(gaps, 1):
        if gap:
            world.advance(gap)
        p.stdin.write("go\n")
        p.stdin.flush()
        line = p.stdout.readline()
        assert line == f"{n} ok\n", (line, p.stderr.read()
                                     if p.poll() is not None else "")
        with open(os.path.join(world.dir, f"out.{n}")) as f:
            assert json.load(f)["email"] == world.user.email
    p.stdin.close()
    assert p.wait(timeout=30) == 0
    assert sum(gaps) > 3 * 24 * H
    assert world.rejected_calls() == 0
