#include "base/netaddr.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "base/err.h"

static struct in6_addr
ip(const char *text)
{
	struct in6_addr a;

	cr_assert(netaddr_ip(text, &a), "%s", text);
	return a;
}

Test(netaddr, ip_maps_ipv4_into_ipv6)
{
	struct in6_addr a = ip("192.0.2.7"), b = ip("::ffff:192.0.2.7");

	cr_expect(IN6_IS_ADDR_V4MAPPED(&a));
	cr_expect(memcmp(&a, &b, sizeof(a)) == 0, "one address, two spellings");
	a = ip("2001:db8::1");
	cr_expect(!IN6_IS_ADDR_V4MAPPED(&a));
	cr_expect(!netaddr_ip("localhost", &a), "names are not addresses");
	cr_expect(!netaddr_ip("192.0.2.256", &a));
	cr_expect(!netaddr_ip("", &a));
}

Test(netaddr, list_takes_commas_and_spaces)
{
	struct in6_addr out[3], want = ip("127.0.0.1");
	char err[128];
	size_t n = 9;

	cr_assert_eq(netaddr_list("trusted-proxy", " ::1 , 127.0.0.1,,", out,
	    3, &n, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(n, 2);
	cr_expect(IN6_IS_ADDR_LOOPBACK(&out[0]));
	cr_expect(memcmp(&out[1], &want, sizeof(want)) == 0);
	cr_assert_eq(netaddr_list("trusted-proxy", "", out, 3, &n, err,
	    sizeof(err)), 0);
	cr_expect_eq(n, 0);
}

Test(netaddr, list_refusals_say_why)
{
	struct in6_addr out[2];
	char err[128], long_item[200];
	size_t n;

	cr_expect_eq(netaddr_list("trusted-proxy", "::1,::2,::3", out, 2, &n,
	    err, sizeof(err)), ERR_INVALID);
	cr_expect_str_eq(err, "--trusted-proxy: at most 2 addresses");
	cr_expect_eq(netaddr_list("trusted-proxy", "::1, proxy.example", out,
	    2, &n, err, sizeof(err)), ERR_INVALID);
	cr_expect_str_eq(err, "--trusted-proxy: proxy.example is not an IP "
	    "address");
	/* one item too long for any address is a bad address, not too many */
	memset(long_item, 'a', sizeof(long_item) - 1);
	long_item[sizeof(long_item) - 1] = '\0';
	cr_expect_eq(netaddr_list("trusted-proxy", long_item, out, 2, &n,
	    err, sizeof(err)), ERR_INVALID);
	cr_expect(strstr(err, "is not an IP address") != NULL, "%s", err);
}

Test(netaddr, listen_addresses)
{
	struct sockaddr_storage sa;
	socklen_t len;
	bool loop = false;
	char err[160];

	cr_assert_eq(netaddr_listen("listen", "127.0.0.1:8080", &sa, &len,
	    &loop, err, sizeof(err)), 0, "%s", err);
	cr_expect(sa.ss_family == AF_INET && loop);
	cr_expect_eq(ntohs(((struct sockaddr_in *)&sa)->sin_port), 8080);
	cr_assert_eq(netaddr_listen("listen", "[::1]:443", &sa, &len, &loop,
	    err, sizeof(err)), 0, "%s", err);
	cr_expect(sa.ss_family == AF_INET6 && loop);
	cr_assert_eq(netaddr_listen("listen", "localhost:1", &sa, &len,
	    &loop, err, sizeof(err)), 0, "%s", err);
	cr_expect(sa.ss_family == AF_INET && loop);
	cr_assert_eq(netaddr_listen("listen", "0.0.0.0:80", &sa, &len, &loop,
	    err, sizeof(err)), 0, "%s", err);
	cr_expect(!loop);
	cr_expect_eq(netaddr_listen("metrics-listen", "example.com:80", &sa,
	    &len, &loop, err, sizeof(err)), ERR_INVALID);
	cr_expect(strncmp(err, "--metrics-listen 'example.com:80' is not "
	    "HOST:PORT", 38) == 0, "%s", err);
	cr_expect_eq(netaddr_listen("listen", "127.0.0.1:0", &sa, &len, &loop,
	    err, sizeof(err)), ERR_INVALID);
	cr_expect_eq(netaddr_listen("listen", "127.0.0.1", &sa, &len, &loop,
	    err, sizeof(err)), ERR_INVALID);
}
