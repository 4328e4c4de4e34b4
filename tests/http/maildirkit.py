"""Reading what keygate mailed, for the tests of the flows that mail links
(verification, password reset, a new address): a server started with
`--mail-dir DIR` writes each mail as a file into DIR/new (a Maildir), and
these helpers wait for them and parse them with Python's `email` module.

    box = Mailbox(tmp_path / "mail")
    srv = make_server(*box.flags())
    msg = box.wait(to="ann@example.com", subject="Confirm")
    token = link_token(msg, "/verify-email")
"""

import email
import email.policy
import os
import re
import time

from kgtest import Browser, find_csrf, new_account

WAIT_S = 15


class Mailbox:
    def __init__(self, path):
        self.path = str(path)
        self.seen = set()

    def flags(self):
        return ("--mail-dir", self.path)

    def all(self):
        """Every mail delivered so far, oldest first, parsed."""
        new = os.path.join(self.path, "new")
        if not os.path.isdir(new):
            return []
        names = sorted(os.listdir(new),
                       key=lambda n: os.stat(os.path.join(new, n)).st_mtime_ns)
        out = []
        for name in names:
            with open(os.path.join(new, name), "rb") as f:
                msg = email.message_from_bytes(f.read(),
                                               policy=email.policy.default)
            msg.file_name = name
            out.append(msg)
        return out

    def to(self, address, subject=None):
        """The mails to `address` (whose subject holds `subject`)."""
        return [m for m in self.all()
                if m["To"] is not None and address in str(m["To"])
                and (subject is None or subject in str(m["Subject"]))]

    def wait(self, to, subject=None, timeout=WAIT_S):
        """The first mail to `to` (with `subject` in its subject) not
        returned by wait() before, waiting for it to be delivered."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.to(to, subject):
                if m.file_name not in self.seen:
                    self.seen.add(m.file_name)
                    return m
            time.sleep(0.05)
        raise AssertionError(f"no mail to {to} ({subject}) within "
                             f"{timeout} s; mails: "
                             f"{[(str(m['To']), str(m['Subject'])) for m in self.all()]}")


def body(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def link_token(msg, path):
    """The token of the link to `path` in a mail's body."""
    m = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_-]+)", body(msg))
    assert m, f"no {path} link in:\n{body(msg)}"
    return m.group(1)


def verify_link(browser, token):
    """Follows a /verify-email link as a person would: its page, then its
    Confirm button. Returns the POST's response."""
    r = browser.get("/verify-email?token=" + token)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    return browser.post("/verify-email", data={
        "csrf_token": find_csrf(r.text), "token": token})


def verified_account(server, box, prefix="dev"):
    """A new account whose address is verified: (email, password)."""
    email_, password = new_account(server, prefix)
    token = link_token(box.wait(email_, "Confirm"), "/verify-email")
    with Browser(server) as b:
        assert verify_link(b, token).status_code == 200
    return email_, password
