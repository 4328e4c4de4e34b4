"""docs/REFERENCE.md §2 (application settings) as one table of cases, shared by
the API, CLI and portal tests so that each rule is proven on each surface with
the same inputs.

A Case is one value for one setting and whether the server must accept it.
`field` is the JSON member name (docs/REFERENCE.md §6). `value` is the JSON
value: a list of strings for redirect_uris and post_logout_redirect_uris,
None for "no logo", a bool for implicit_flow. Each surface translates it (test_apps_cli.cli_flags,
test_apps_portal's form data). `surfaces` limits a case to the surfaces that
can express it.
"""

import collections

import pytest

Case = collections.namedtuple("Case", "id field value ok surfaces")

ALL = frozenset({"api", "cli", "portal"})


def case(id, field, value, ok, surfaces=ALL):
    return Case(id, field, value, ok, frozenset(surfaces))


def uri_of_bytes(n):
    """An https redirect URI of exactly n bytes."""
    head = "https://app.example.com/"
    return head + "a" * (n - len(head))


TEN_URIS = [f"https://app.example.com/cb{i}" for i in range(10)]
ELEVEN_URIS = [f"https://app.example.com/cb{i}" for i in range(11)]

# An app's settings before a case changes them: every case must differ from
# these, so that "stored" and "unchanged" can be told apart.
BASELINE = {
    "redirect_uris": ["https://baseline.example.org/callback"],
    "public_name": "Baseline Public",
    "logo_url": "https://baseline.example.org/logo.png",
    "description": "Baseline description.",
    "implicit_flow": False,
    "id_token_signed_response_alg": "ES256",
    "post_logout_redirect_uris": ["https://baseline.example.org/bye"],
}

REDIRECT_URIS = [
    # accepted
    case("https", "redirect_uris", ["https://app.example.com/cb"], True),
    case("http-localhost-port", "redirect_uris",
         ["http://localhost:8080/cb"], True),
    case("http-127.0.0.1", "redirect_uris", ["http://127.0.0.1/cb"], True),
    case("http-[::1]-port", "redirect_uris", ["http://[::1]:9000/cb"], True),
    case("http-localhost", "redirect_uris", ["http://localhost/cb"], True),
    case("http-127.0.0.1-port", "redirect_uris",
         ["http://127.0.0.1:8080/cb"], True),
    case("private-use-scheme", "redirect_uris", ["com.example.app:/cb"],
         True),
    case("https-with-query", "redirect_uris",
         ["https://app.example.com/cb?mode=web"], True),
    case("several", "redirect_uris",
         ["https://app.example.com/cb", "http://localhost:8080/cb",
          "com.example.app:/cb"], True),
    case("ten", "redirect_uris", TEN_URIS, True),
    case("2000-bytes", "redirect_uris", [uri_of_bytes(2000)], True),
    # refused
    case("http-not-loopback", "redirect_uris", ["http://example.com/cb"],
         False),
    case("http-localhost-lookalike", "redirect_uris",
         ["http://localhost.example.com/cb"], False),
    case("http-127.0.0.2", "redirect_uris", ["http://127.0.0.2/cb"], False),
    case("fragment", "redirect_uris", ["https://example.com/cb#x"], False),
    case("empty-fragment", "redirect_uris", ["https://example.com/cb#"],
         False),
    case("wildcard", "redirect_uris", ["https://*.example.com/cb"], False),
    case("userinfo", "redirect_uris", ["https://u:p@example.com/cb"], False),
    case("relative", "redirect_uris", ["/relative"], False),
    case("javascript", "redirect_uris", ["javascript:alert(1)"], False),
    case("scheme-without-dot", "redirect_uris", ["myapp:/cb"], False),
    case("https-without-host", "redirect_uris", ["https:///cb"], False),
    case("broken-ipv6-literal", "redirect_uris", ["http://[::1/cb"], False),
    case("scheme-only", "redirect_uris", ["https:"], False),
    case("space-inside", "redirect_uris", ["https://app.example.com/c b"],
         False),
    case("2001-bytes", "redirect_uris", [uri_of_bytes(2001)], False),
    case("zero-uris", "redirect_uris", [], False),
    case("eleven", "redirect_uris", ELEVEN_URIS, False),
    case("duplicate", "redirect_uris",
         ["https://app.example.com/cb", "https://app.example.com/cb"], False),
    case("one-bad-among-good", "redirect_uris",
         ["https://app.example.com/cb", "http://example.com/cb",
          "com.example.app:/cb"], False),
]

PUBLIC_NAME = [
    case("plain", "public_name", "Photo Printer", True),
    case("100-chars", "public_name", "P" * 100, True),
    case("100-multibyte-chars", "public_name", "é" * 100, True),
    case("brand-letters-apart-in-words", "public_name", "Keyboard Gateway",
         True),
    case("101-chars", "public_name", "P" * 101, False),
    case("empty", "public_name", "", False),
    case("blank", "public_name", "   ", False),
    case("brand", "public_name", "keygate", False),
    case("brand-hyphen", "public_name", "Key-Gate", False),
    case("brand-upper-space", "public_name", "KEY GATE", False),
    case("brand-spaced", "public_name", "K E Y G A T E", False),
    case("brand-fullwidth", "public_name", "ｋｅｙｇａｔｅ", False),
    case("brand-inside", "public_name", "My KeyGate App", False),
    case("brand-underscore", "public_name", "Key_Gate", False),
    case("brand-soft-hyphen", "public_name", "Key\u00adgate", False),
    case("brand-math-bold", "public_name",
         "\U0001d40a\U0001d41e\U0001d432\U0001d420\U0001d41a\U0001d42d"
         "\U0001d41e", False),
    case("brand-circled", "public_name", "ⓀⒺⓎⒼⒶⓉⒺ", False),
    # lookalikes of other scripts and symbols (UTS #39 confusables)
    case("lookalike-cyrillic-e", "public_name", "k\u0435ygate", False),
    case("lookalike-greek", "public_name", "\u039a\u0395\u03a5GATE", False),
    case("lookalike-estimated-sign", "public_name", "keygat\u212e", False),
    case("lookalike-cyrillic-key", "public_name", "\u043a\u0435\u0443gate",
         False),
    # names that merely share letters with the brand
    case("key-largo", "public_name", "Key Largo", True),
    case("gate-keeper", "public_name", "Gate Keeper", True),
]

LOGO_URL = [
    case("https", "logo_url", "https://cdn.example.com/logo.png", True),
    case("null-clears", "logo_url", None, True),
    case("http", "logo_url", "http://cdn.example.com/logo.png", False),
    case("data", "logo_url", "data:image/png;base64,iVBORw0KGgo=", False),
    case("javascript", "logo_url", "javascript:alert(1)", False),
    case("relative", "logo_url", "/logo.png", False),
    case("https-without-host", "logo_url", "https:///logo.png", False),
]

DESCRIPTION = [
    case("empty", "description", "", True),
    case("1000-chars", "description", "d" * 1000, True),
    case("1000-two-byte-chars", "description", "é" * 1000, True),
    case("1000-three-byte-chars", "description", "日" * 1000, True),
    case("1000-four-byte-chars", "description", "\U0001f600" * 1000, True),
    case("two-lines", "description", "line one\nline two", True),
    case("1001-chars", "description", "d" * 1001, False),
    case("1001-two-byte-chars", "description", "é" * 1001, False),
]

IMPLICIT_FLOW = [
    case("on", "implicit_flow", True, True),
]

# OpenID Connect (docs/REFERENCE.md §2, §14): the id_token's JWS algorithm
# (names are case-sensitive; none and HMAC are never offered) and where
# /oauth2/logout may send a browser (the redirect URI rules, but may be
# empty).
ID_TOKEN_ALG = [
    case("RS256", "id_token_signed_response_alg", "RS256", True),
    case("EdDSA", "id_token_signed_response_alg", "EdDSA", True),
    case("lowercase", "id_token_signed_response_alg", "rs256", False),
    case("HS256", "id_token_signed_response_alg", "HS256", False),
    case("none", "id_token_signed_response_alg", "none", False),
    case("empty", "id_token_signed_response_alg", "", False,
         {"api", "cli"}),
]

POST_LOGOUT_URIS = [
    case("https", "post_logout_redirect_uris",
         ["https://app.example.com/bye"], True),
    case("none", "post_logout_redirect_uris", [], True),
    case("loopback-and-private-use", "post_logout_redirect_uris",
         ["http://127.0.0.1:8080/bye", "com.example.app:/bye"], True),
    case("ten", "post_logout_redirect_uris", TEN_URIS, True),
    case("http-not-loopback", "post_logout_redirect_uris",
         ["http://example.com/bye"], False),
    case("fragment", "post_logout_redirect_uris",
         ["https://example.com/bye#x"], False),
    case("eleven", "post_logout_redirect_uris", ELEVEN_URIS, False),
    case("duplicate", "post_logout_redirect_uris",
         ["https://app.example.com/bye", "https://app.example.com/bye"],
         False),
    case("2001-bytes", "post_logout_redirect_uris", [uri_of_bytes(2001)],
         False),
]

# Names are set at creation only.
NAME = [
    case("one-char", "name", "x", True),
    case("100-chars", "name", "N" * 100, True),
    case("100-multibyte-chars", "name", "ß" * 100, True),
    case("empty", "name", "", False),
    case("blank", "name", "   ", False),
    case("101-chars", "name", "N" * 101, False),
    case("101-multibyte-chars", "name", "ß" * 101, False),
]

SETTINGS = REDIRECT_URIS + PUBLIC_NAME + LOGO_URL + DESCRIPTION + \
    IMPLICIT_FLOW + ID_TOKEN_ALG + POST_LOGOUT_URIS


def params(cases, surface):
    """pytest.param for each case that `surface` can express."""
    return [pytest.param(c, id=f"{c.field}-{c.id}-{'ok' if c.ok else 'no'}")
            for c in cases if surface in c.surfaces]


def one_each(cases):
    """The first case of each field and verdict: for a surface that hands
    its values to the same rules (core/app_rules.c) as the API, whose
    suite runs every case, one accepted and one refused value per field
    show that its flags reach them."""
    seen, out = set(), []
    for c in cases:
        if (c.field, c.ok) not in seen:
            seen.add((c.field, c.ok))
            out.append(c)
    return out


def stored(c):
    """What the API must show for an accepted case."""
    return c.value


# Brand set with --brand "Acme Cloud".
ACME_BRAND = "Acme Cloud"
ACME_PUBLIC_NAME = [
    case("brand-hyphen", "public_name", "acme-cloud", False),
    case("brand-inside", "public_name", "The ACME CLOUD Uploader", False),
    case("brand-fullwidth", "public_name", "ＡｃｍｅＣｌｏｕｄ", False),
    case("default-brand-is-fine", "public_name", "Keygate Tools", True),
    case("half-brand", "public_name", "Acme Photos", True),
]
