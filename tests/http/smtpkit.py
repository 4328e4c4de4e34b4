"""A real SMTP server for the tests (Debian's python3-aiosmtpd), and the
helpers that read what keygate mailed, over SMTP or into its Maildir.

    smtp = SmtpServer()             # a free port on 127.0.0.1, started
    srv = make_server("--smtp-url", smtp.url)
    queue_mail(srv, "ann@example.org", "Hello", "Body\\n")
    [mail] = smtp.wait_for(1)       # Received: .message, .mail_from, ...
    mail.message["Subject"], mail.text()
    smtp.stop(); smtp.start()       # down, then back on the same port

With a user (SmtpServer(user="u", password="p")) the server asks for
AUTH and records every log-in tried in `logins`. The `smtp` fixture of
conftest.py gives a started server and stops it after the test.

Without --smtp-url keygate writes each mail into a Maildir:
    maildir_messages(path) -> [(file path, email.message.EmailMessage)]
    wait_for_maildir(path, n) waits until new/ holds n mails.
    default_maildir(srv) is where a SQLite server writes by default.

Times: keygate's sender wakes when a mail is queued and when its test
clock moves (srv.advance()), and at least every 2 s; wait_for() polls."""

import email
import email.policy
import os
import threading
import time

import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

import kgtest

WAIT_S = 15


class Received:
    """One message as the SMTP server took it."""

    def __init__(self, envelope):
        self.mail_from = envelope.mail_from
        self.rcpt_tos = list(envelope.rcpt_tos)
        self.data = envelope.original_content or envelope.content
        self.message = email.message_from_bytes(
            self.data, policy=email.policy.default)

    def text(self):
        """The body, decoded (quoted-printable, UTF-8), with LF line
        ends."""
        return self.message.get_content().replace("\r\n", "\n")

    def __repr__(self):
        return f"Received({self.rcpt_tos}, {self.message['Subject']!r})"


class _Handler:
    def __init__(self, owner):
        self.owner = owner

    async def handle_DATA(self, server, session, envelope):
        with self.owner.lock:
            self.owner.messages.append(Received(envelope))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1:`port` (a free one by default), started at
    once unless start=False. stop() and start() keep the port, so that a
    keygate pointed at `url` finds the server gone, then back."""

    def __init__(self, port=None, user=None, password=None, start=True):
        self.port = port or kgtest.free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.user, self.password = user, password
        self.lock = threading.Lock()
        self.messages = []
        self.logins = []        # (login, password) of every AUTH tried
        self._controller = None
        if start:
            self.start()

    def _authenticate(self, server, session, envelope, mechanism, data):
        login = data.login.decode() if isinstance(data.login, bytes) \
            else data.login
        password = data.password.decode() \
            if isinstance(data.password, bytes) else data.password
        with self.lock:
            self.logins.append((login, password))
        ok = (login, password) == (self.user, self.password)
        return AuthResult(success=ok, handled=False)

    def start(self):
        assert self._controller is None, "already started"
        kw = {}
        if self.user is not None:
            kw = dict(authenticator=self._authenticate, auth_required=True,
                      auth_require_tls=False)
        deadline = time.monotonic() + 10
        while True:
            c = Controller(_Handler(self), hostname="127.0.0.1",
                           port=self.port, **kw)
            try:
                c.start()
                break
            except Exception:
                # the port of a server just stopped may take a moment
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self._controller = c

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self):
        return self._controller is not None

    def received(self):
        with self.lock:
            return list(self.messages)

    def wait_for(self, n=1, timeout=WAIT_S):
        """Waits until at least n messages arrived; returns them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received()
            if len(got) >= n:
                return got
            time.sleep(0.05)
        raise AssertionError(f"{len(self.received())} of {n} mails "
                             f"arrived within {timeout} s")


def queue_mail(server, to, subject, body):
    """POST /_test/mail (a server with --test-clock): the mail is in the
    queue when this returns. Returns the response."""
    return requests.post(server.url("/_test/mail"), timeout=10,
                         data={"to": to, "subject": subject, "body": body})


def metric(server, name):
    """The value of counter `name` on the server's /metrics."""
    r = requests.get(server.metrics_url, timeout=10)
    assert r.status_code == 200, r.status_code
    for line in r.text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"no {name} in /metrics")


def wait_metric(server, name, at_least, timeout=WAIT_S):
    """Waits until counter `name` reaches at_least; returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        v = metric(server, name)
        if v >= at_least or time.monotonic() > deadline:
            assert v >= at_least, f"{name} is {v}, not {at_least}"
            return v
        time.sleep(0.05)


def default_maildir(server):
    """Where a server without --mail-dir writes: mail/ beside its SQLite
    file, or in its working folder on PostgreSQL."""
    if server.db.startswith(("postgres://", "postgresql://")):
        return os.path.join(server.workdir, "mail")
    return os.path.join(os.path.dirname(server.db), "mail")


def maildir_messages(path):
    """The mails in the Maildir's new/, oldest name first, as (file path,
    EmailMessage)."""
    new = os.path.join(path, "new")
    if not os.path.isdir(new):
        return []
    out = []
    for name in sorted(os.listdir(new)):
        full = os.path.join(new, name)
        with open(full, "rb") as f:
            out.append((full, email.message_from_bytes(
                f.read(), policy=email.policy.default)))
    return out


def wait_for_maildir(path, n=1, timeout=WAIT_S):
    """Waits until the Maildir holds at least n mails; returns them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = maildir_messages(path)
        if len(got) >= n:
            return got
        time.sleep(0.05)
    raise AssertionError(f"{len(maildir_messages(path))} of {n} mails in "
                         f"{path} within {timeout} s")
