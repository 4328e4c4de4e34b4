"""Mail (docs/OPERATIONS.md "Mail"): a mail queued through POST /_test/mail
(test clock only) reaches a real SMTP server (smtpkit, Debian's
python3-aiosmtpd) with its headers, or the Maildir without --smtp-url;
a mail server that is down or hangs slows no request and loses no mail,
across an outage and a restart; the last failed attempt gives a mail up
with a log line that names its domain only; header injection is refused;
the SMTP password is never a flag, never in a log or help text."""

import email.utils
import os
import socket
import stat
import time

import pytest
import requests

import kgtest
from smtpkit import (SmtpServer, default_maildir, maildir_messages, metric,
                     queue_mail, wait_for_maildir, wait_metric)

# smtpkit's server asks for AUTH without TLS on loopback, as a test may
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not")

BACKOFF = [60, 120, 300, 600, 900]
EARLY_S = 5
SECRET_LINK = "https://id.example.com/password/reset?token=kg_rt_SECRETabc"


def queued(server, to, subject, body):
    r = queue_mail(server, to, subject, body)
    assert r.status_code == 202, (r.status_code, r.text)
    assert r.json() == {"queued": True}
    return r


def test_mail_arrives_with_its_headers(make_server, smtp):
    srv = make_server("--smtp-url", smtp.url, "--mail-from",
                      "keygate@example.com")
    body = ("Hello Ann,\n\n.a line that starts with a dot\n"
            f"Reset it here: {SECRET_LINK}\nGrüße\n")
    queued(srv, "ann@example.org", "Réinitialisez votre mot de passe ✓",
           body)
    [mail] = smtp.wait_for(1)
    m = mail.message
    assert mail.mail_from == "keygate@example.com"
    assert mail.rcpt_tos == ["ann@example.org"]
    assert m["From"] == "keygate@example.com"
    assert m["To"] == "ann@example.org"
    assert str(m["Subject"]) == "Réinitialisez votre mot de passe ✓"
    assert b"=?UTF-8?B?" in mail.data, "RFC 2047 encoded-words"
    sent = email.utils.parsedate_to_datetime(m["Date"]).timestamp()
    assert abs(sent - time.time()) < 60, m["Date"]
    assert m["Date"].endswith("+0000")
    assert m["Message-ID"].startswith("<") and \
        m["Message-ID"].endswith("@127.0.0.1>"), m["Message-ID"]
    assert m["MIME-Version"] == "1.0"
    assert m.get_content_type() == "text/plain"
    assert m.get_content_charset() == "utf-8"
    assert m["Auto-Submitted"] == "auto-generated"
    # dot-stuffing was undone by the server: the line is as it was written
    assert mail.text().replace("\r\n", "\n") == body
    for line in mail.data.split(b"\r\n"):
        assert b"\n" not in line and b"\r" not in line and len(line) <= 998
    assert wait_metric(srv, "keygate_mail_sent_total", 1) == 1
    assert metric(srv, "keygate_mail_queued_total") == 1
    log = srv.log()
    assert "to example.org delivered" in log
    assert SECRET_LINK not in log and "ann@" not in log


def test_default_sender_is_keygate_at_the_issuer_host(make_server, smtp):
    srv = make_server("--smtp-url", smtp.url, "--issuer",
                      "https://id.example.com")
    queued(srv, "bob@example.org", "Hi", "Hi\n")
    [mail] = smtp.wait_for(1)
    assert mail.mail_from == "keygate@id.example.com"
    assert mail.message["From"] == "keygate@id.example.com"
    assert mail.message["Message-ID"].endswith("@id.example.com>")


def test_many_mails_each_once(make_server, smtp):
    srv = make_server("--smtp-url", smtp.url)
    for i in range(5):
        queued(srv, f"user{i}@example.org", f"Mail {i}", f"Body {i}\n")
    smtp.wait_for(5)
    wait_metric(srv, "keygate_mail_sent_total", 5)
    got = smtp.received()
    assert sorted(g.rcpt_tos[0] for g in got) == \
        [f"user{i}@example.org" for i in range(5)]


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_maildir_without_smtp_url(make_server):
    srv = make_server()
    box = default_maildir(srv)
    queued(srv, "ann@example.org", "Verify your email", "Open the link\n")
    [(path, m)] = wait_for_maildir(box, 1)
    assert m["To"] == "ann@example.org"
    assert m["Subject"] == "Verify your email"
    assert m.get_content() == "Open the link\n"
    assert mode(path) == 0o600
    for sub in ("", "new", "tmp", "cur"):
        assert mode(os.path.join(box, sub)) == 0o700, sub
    assert os.listdir(os.path.join(box, "tmp")) == []
    with open(path, "rb") as f:
        assert b"\r\n" not in f.read(), "LF line ends, as Maildir readers want"
    assert "into the Maildir" in srv.log()


def test_mail_dir_setting(make_server, tmp_path):
    box = tmp_path / "deep" / "box"
    srv = make_server("--mail-dir", str(box))
    queued(srv, "ann@example.org", "One", "1\n")
    queued(srv, "ann@example.org", "Two", "2\n")
    got = wait_for_maildir(str(box), 2)
    assert sorted(m["Subject"] for _, m in got) == ["One", "Two"]
    assert len({os.path.basename(p) for p, _ in got}) == 2
    assert not os.path.exists(default_maildir(srv))


@pytest.mark.alone("a request answered within 0.5 s")
def test_server_down_slows_nothing_and_mail_arrives_after(make_server,
                                                          smtp):
    srv = make_server("--smtp-url", smtp.url)
    queued(srv, "a@example.org", "Before", "1\n")
    smtp.wait_for(1)
    smtp.stop()
    for to in ("b@example.org", "c@example.org"):
        t0 = time.monotonic()
        queued(srv, to, "During", "2\n")
        assert time.monotonic() - t0 < 0.5, "the request waited for mail"
    wait_metric(srv, "keygate_mail_failed_total", 2)
    assert len(smtp.received()) == 1
    assert "not delivered (attempt 1 of 6)" in srv.log()
    smtp.start()
    srv.advance(BACKOFF[0])
    got = smtp.wait_for(3)
    assert sorted(g.rcpt_tos[0] for g in got[1:]) == \
        ["b@example.org", "c@example.org"]
    assert metric(srv, "keygate_mail_given_up_total") == 0


@pytest.mark.alone("answers within 1 s and a shutdown within 5 s")
def test_hung_server_slows_neither_requests_nor_shutdown(make_server,
                                                        smtp):
    """A server that takes the connection and never answers: the sender
    waits on it, requests do not, and SIGTERM still stops keygate at once.
    The delivery cut short is put back as it was, due at once, and is no
    failed attempt: the next start sends both mails without waiting out
    a claim."""
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(16)
        hung.settimeout(10)
        port = hung.getsockname()[1]
        srv = make_server("--smtp-url", f"smtp://127.0.0.1:{port}")
        t0 = time.monotonic()
        queued(srv, "a@example.org", "Hung", "x\n")
        queued(srv, "b@example.org", "Hung", "x\n")
        assert time.monotonic() - t0 < 1.0
        conn, _ = hung.accept()     # the sender, waiting for a greeting
        with conn:
            t0 = time.monotonic()
            assert srv.stop() == 0
            assert time.monotonic() - t0 < 5, "shutdown waited for mail"
    assert "not delivered" not in srv.log()
    again = make_server("--smtp-url", smtp.url, db=srv.db)
    got = smtp.wait_for(2)
    assert sorted(g.rcpt_tos[0] for g in got) == \
        ["a@example.org", "b@example.org"]
    assert "not delivered" not in again.log()


def test_given_up_after_the_last_attempt(make_server, smtp):
    smtp.stop()
    srv = make_server("--smtp-url", smtp.url)
    queued(srv, "ann.private@example.org", "Reset", f"{SECRET_LINK}\n")
    for n, wait in enumerate(BACKOFF, 1):
        wait_metric(srv, "keygate_mail_failed_total", n)
        assert metric(srv, "keygate_mail_given_up_total") == 0
        # not tried again before its wait is over (the advance wakes the
        # sender; EARLY_S leaves room for the test's own time)
        srv.advance(wait - EARLY_S)
        time.sleep(0.5)
        assert metric(srv, "keygate_mail_failed_total") == n, \
            f"attempt {n + 1} came before its {wait} s"
        srv.advance(EARLY_S)
    wait_metric(srv, "keygate_mail_given_up_total", 1)
    assert metric(srv, "keygate_mail_failed_total") == 6
    log = srv.log()
    [line] = [l for l in log.splitlines() if "given up" in l]
    assert "level=warn" in line
    assert "to example.org given up after 6 attempts" in line
    assert SECRET_LINK not in log and "SECRET" not in log
    assert "ann.private" not in log
    # gone from the queue: with the server back, a later mail goes alone
    # (the given-up one, due first, would have gone before it)
    smtp.start()
    srv.advance(3600)
    queued(srv, "bob@example.org", "After", "x\n")
    smtp.wait_for(1)
    wait_metric(srv, "keygate_mail_sent_total", 1)
    assert [m.rcpt_tos for m in smtp.received()] == [["bob@example.org"]]


def test_restart_sends_what_was_queued(make_server, smtp):
    smtp.stop()
    first = make_server("--smtp-url", smtp.url)
    queued(first, "ann@example.org", "Across a restart", "kept\n")
    wait_metric(first, "keygate_mail_failed_total", 1)
    assert first.stop() == 0
    smtp.start()
    second = make_server("--smtp-url", smtp.url, db=first.db)
    second.advance(BACKOFF[0])
    [mail] = smtp.wait_for(1)
    assert mail.message["Subject"] == "Across a restart"
    assert mail.text() == "kept\n"


def test_header_injection_refused(make_server, smtp):
    srv = make_server("--smtp-url", smtp.url)
    for to, subject in [("ann@example.org", "Hi\r\nBcc: eve@example.net"),
                        ("ann@example.org", "Hi\nBcc: eve@example.net"),
                        ("ann@example.org\r\nBcc: eve@example.net", "Hi"),
                        ("ann@example.org, eve@example.net", "Hi"),
                        ("not an address", "Hi")]:
        r = queue_mail(srv, to, subject, "body\n")
        assert r.status_code == 400, (to, subject, r.text)
        assert r.json()["error"] == "invalid_request"
    r = requests.post(srv.url("/_test/mail"), data={"to": "a@example.org"},
                      timeout=10)
    assert r.status_code == 400
    assert metric(srv, "keygate_mail_queued_total") == 0
    queued(srv, "ann@example.org", "Still works", "ok\n")
    [mail] = smtp.wait_for(1)
    assert mail.rcpt_tos == ["ann@example.org"]


def test_test_route_only_with_the_test_clock(make_server):
    srv = make_server(test_clock=False)
    r = queue_mail(srv, "ann@example.org", "Hi", "x\n")
    assert r.status_code == 404


PASSWORD = "smtp-Pw-7e3b1c"


def test_smtp_password_from_the_variable_and_never_shown(make_server):
    smtp = SmtpServer(user="keygate", password=PASSWORD)
    try:
        srv = make_server("--smtp-url", smtp.url, "--smtp-user", "keygate",
                          env={"KEYGATE_SMTP_PASSWORD": PASSWORD})
        queued(srv, "ann@example.org", "Authenticated", "x\n")
        [mail] = smtp.wait_for(1)
        assert ("keygate", PASSWORD) in smtp.logins
        assert PASSWORD not in srv.log()
    finally:
        smtp.stop()


def test_wrong_smtp_password_fails_without_showing_it(make_server):
    smtp = SmtpServer(user="keygate", password="the-right-one")
    try:
        srv = make_server("--smtp-url", smtp.url, "--smtp-user", "keygate",
                          env={"KEYGATE_SMTP_PASSWORD": PASSWORD})
        queued(srv, "ann@example.org", "Refused", "x\n")
        wait_metric(srv, "keygate_mail_failed_total", 1)
        assert smtp.received() == []
        assert ("keygate", PASSWORD) in smtp.logins
        log = srv.log()
        assert "not delivered" in log and PASSWORD not in log
    finally:
        smtp.stop()


def test_smtp_password_from_the_config_file(make_server, tmp_path):
    smtp = SmtpServer(user="keygate", password=PASSWORD)
    conf = tmp_path / "keygate.conf"
    conf.write_text(f"smtp-url = {smtp.url}\nsmtp-user = keygate\n"
                    f"smtp-password = {PASSWORD}\n")
    try:
        srv = make_server("--config", str(conf))
        queued(srv, "ann@example.org", "From the file", "x\n")
        smtp.wait_for(1)
        assert ("keygate", PASSWORD) in smtp.logins
        assert PASSWORD not in srv.log()
        r = kgtest.run_cli("config", "check", str(conf))
        assert r.returncode == 0, r.stderr
        assert PASSWORD not in r.stdout + r.stderr
    finally:
        smtp.stop()


def test_smtp_password_is_never_a_flag(tmp_path):
    for args in (["--smtp-password", PASSWORD],
                 [f"--smtp-password={PASSWORD}"]):
        r = kgtest.run_cli("serve", "--db", str(tmp_path / "k.db"),
                           "--smtp-url", "smtp://127.0.0.1:25",
                           "--smtp-user", "keygate", *args, cwd=tmp_path)
        assert r.returncode == 2, r.stderr
        assert "KEYGATE_SMTP_PASSWORD" in r.stderr
        assert PASSWORD not in r.stdout + r.stderr
    help_text = kgtest.run_cli("serve", "--help").stdout
    assert "--smtp-password" not in help_text
    assert "KEYGATE_SMTP_PASSWORD" in help_text
    assert "--smtp-url" in help_text and "--mail-dir" in help_text


def test_bad_mail_settings_are_refused_at_start(tmp_path):
    for args, says in [
            (["--smtp-url", f"smtp://keygate:{PASSWORD}@127.0.0.1:25"],
             "no user or password"),
            (["--smtp-url", "http://127.0.0.1:25"], "smtp://"),
            (["--mail-from", "Keygate <k@example.com>"], "--mail-from"),
            (["--smtp-user", "keygate"], "--smtp-url")]:
        r = kgtest.run_cli("serve", "--db", str(tmp_path / "k.db"), *args,
                           cwd=tmp_path)
        assert r.returncode == 2, (args, r.stderr)
        assert says in r.stderr, (args, r.stderr)
        assert PASSWORD not in r.stderr
    conf = tmp_path / "bad.conf"
    conf.write_text(f"smtp-url = smtp://u:{PASSWORD}@127.0.0.1\n")
    r = kgtest.run_cli("config", "check", str(conf))
    assert r.returncode == 1
    assert "no user or password" in r.stderr
    assert PASSWORD not in r.stdout + r.stderr
