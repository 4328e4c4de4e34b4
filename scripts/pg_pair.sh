#!/usr/bin/env bash
# A throw-away PostgreSQL primary and its synchronous streaming standby, for
# the failover tests, each a scripts/pg_cluster.sh cluster of its own:
#
#   scripts/pg_pair.sh start DIR         the primary in DIR/primary, the
#                                        standby in DIR/standby (a
#                                        pg_basebackup -R of it), both
#                                        running; waits until the standby is
#                                        the synchronous one, then prints
#                                        the multi-host URL (also in
#                                        DIR/url):
#     postgres://postgres@127.0.0.1:P1,127.0.0.1:P2/postgres?target_session_attrs=read-write
#   scripts/pg_pair.sh kill-primary DIR  SIGKILL to the primary's postmaster
#                                        (a dead machine: no shutdown, no
#                                        last words to the standby)
#   scripts/pg_pair.sh promote DIR       pg_ctl promote on the standby,
#                                        waiting until it takes writes
#   scripts/pg_pair.sh destroy DIR       stops both and deletes DIR
#
# With KEYGATE_PG_TEMPLATE=TDIR in the environment, start copies the
# primary's files from a cluster made once in TDIR (a pg_cluster.sh folder,
# made and stopped on first use; destroy it with pg_cluster.sh destroy)
# instead of running initdb each time: a test that makes a fresh pair per
# round saves seconds a round.
#
# Unlike pg_cluster.sh's default, both run durably (KEYGATE_PG_DURABLE=1:
# fsync, synchronous_commit and full_page_writes on), and the primary
# answers a COMMIT only once the standby has flushed it
# (synchronous_standby_names names the standby's cluster_name): what a
# client was told is committed survives the primary's death. Both listen on
# 127.0.0.1 only. As root the clusters run as the postgres user, as with
# pg_cluster.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cluster=$here/pg_cluster.sh
STANDBY_NAME=keygate_standby

usage() {
	echo "usage: $0 start|kill-primary|promote|destroy DIR" >&2
	exit 2
}

die() {
	echo "pg_pair: $*" >&2
	exit 1
}

if [ $# -ne 2 ] || [ -z "$2" ]; then
	usage
fi
cmd=$1
dir=$(realpath -m -- "$2")

bindir() {
	if [ -n "${PG_BINDIR:-}" ]; then
		echo "$PG_BINDIR"
		return
	fi
	(shopt -s nullglob
	    printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
}

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# Settings of one member beside pg_cluster.sh's own file, included by the
# line start adds to the primary's postgresql.conf (which the standby's
# copy inherits).
pair_conf() {
	local conf=$1/data/keygate-pair.conf
	shift
	printf '%s\n' "# Written by scripts/pg_pair.sh." "$@" >"$conf"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$conf"
	fi
}

psql_primary() {
	as_owner "$bin/psql" -X -q -At -h "$dir/primary" \
	    -p "$(cat "$dir/primary/port")" -U postgres -d postgres -c "$1"
}

start() {
	local p s
	[ ! -e "$dir/primary" ] || die "$dir already holds a pair; destroy it first"
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir"
	fi
	if [ -n "${KEYGATE_PG_TEMPLATE:-}" ]; then
		from_template
	fi
	KEYGATE_PG_DURABLE=1 "$cluster" start "$dir/primary" >/dev/null
	echo "include_if_exists = 'keygate-pair.conf'" \
	    >>"$dir/primary/data/postgresql.conf"
	p=$(cat "$dir/primary/port")
	mkdir -p "$dir/standby"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir/standby"
	fi
	# -R: standby.signal and primary_conninfo, so it starts as a standby
	# streaming from the primary; -X stream: the WAL of the copy itself.
	if ! as_owner "$bin/pg_basebackup" -h 127.0.0.1 -p "$p" -U postgres \
	    -D "$dir/standby/data" -R -X stream -c fast \
	    >"$dir/basebackup.log" 2>&1; then
		cat "$dir/basebackup.log" >&2
		die "pg_basebackup failed (log above, also in $dir/basebackup.log)"
	fi
	# The copy carries the primary's port file and pair settings: the
	# standby gets its own (pg_cluster.sh picks it a port), and never a
	# synchronous_standby_names, which would stop every commit once it
	# is promoted with no standby of its own.
	pair_conf "$dir/standby" "cluster_name = '$STANDBY_NAME'"
	KEYGATE_PG_DURABLE=1 "$cluster" start "$dir/standby" >/dev/null
	s=$(cat "$dir/standby/port")
	pair_conf "$dir/primary" "synchronous_standby_names = '$STANDBY_NAME'"
	as_owner "$bin/pg_ctl" reload -s -D "$dir/primary/data" >/dev/null
	wait_sync
	local hosts="127.0.0.1:$p,127.0.0.1:$s"
	echo "postgres://postgres@$hosts/postgres?target_session_attrs=read-write" |
	    tee "$dir/url"
}

# DIR/primary/data as a copy of the template's stopped cluster.
from_template() {
	local t
	t=$(realpath -m -- "$KEYGATE_PG_TEMPLATE")
	if [ ! -f "$t/data/PG_VERSION" ] || [ -f "$t/data/postmaster.pid" ]; then
		"$cluster" start "$t" >/dev/null
		"$cluster" stop "$t"
	fi
	mkdir -p "$dir/primary"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir/primary"
	fi
	as_owner cp -a "$t/data" "$dir/primary/data"
}

# Until the primary reports the standby streaming as its synchronous one.
wait_sync() {
	local i state
	for ((i = 0; i < 300; i++)); do
		state=$(psql_primary "SELECT sync_state FROM pg_stat_replication
		    WHERE application_name = '$STANDBY_NAME'" 2>/dev/null || true)
		if [ "$state" = sync ]; then
			return
		fi
		sleep 0.1
	done
	die "the standby did not become synchronous within 30 s"
}

kill_primary() {
	local pid
	pid=$(head -n 1 "$dir/primary/data/postmaster.pid" 2>/dev/null) ||
	    die "no running primary in $dir"
	kill -KILL "$pid"
}

promote() {
	as_owner "$bin/pg_ctl" promote -w -s -t 30 -D "$dir/standby/data" >&2
}

destroy() {
	local m
	[ -d "$dir" ] || return 0
	for f in "$dir"/* "$dir"/.[!.]*; do
		[ -e "$f" ] || continue
		case ${f##*/} in
		primary | standby | url | basebackup.log) ;;
		*) die "$dir holds ${f##*/}, which is not part of a test pair; not deleting it" ;;
		esac
	done
	for m in standby primary; do
		if [ -d "$dir/$m" ]; then
			# immediate: a primary whose synchronous standby died
			# may never finish a fast shutdown, and the pair is
			# thrown away anyway
			as_owner "$bin/pg_ctl" stop -w -s -t 30 -m immediate \
			    -D "$dir/$m/data" >/dev/null 2>&1 || true
			"$cluster" destroy "$dir/$m"
		fi
	done
	rm -rf -- "$dir"
}

bin=$(bindir)
[ -n "$bin" ] || die "no /usr/lib/postgresql/*/bin; install the postgresql package (scripts/setup.sh) or set PG_BINDIR"
cd /

case $cmd in
start) start ;;
kill-primary) kill_primary ;;
promote) promote ;;
destroy) destroy ;;
*) usage ;;
esac
