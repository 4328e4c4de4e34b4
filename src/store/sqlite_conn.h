#ifndef KEYGATE_STORE_SQLITE_CONN_H
#define KEYGATE_STORE_SQLITE_CONN_H

/* Internal to the SQLite backend: a store's connections, one per thread
 * (sqlite_conn.c), for sqlite.c's open, migrations and close. The
 * statement helpers are in sqlite_stmt.h. */

#include <pthread.h>
#include <sqlite3.h>

#include "store/stmt.h"

struct conn {
	sqlite3		*db;
	sqlite3_stmt	*stmts[STMT_COUNT];
	struct conn	*next;
};

struct store_backend {
	char		*path;
	struct sqlite_group *group;
	pthread_key_t	 key;
	pthread_mutex_t	 lock;		/* guards conns */
	struct conn	*conns;
};

/* Runs sql (no rows); logs and gives ERR_STORE on failure. */
int	sqlite_exec(sqlite3 *db, const char *sql);
/* Opens and configures (WAL, synchronous=FULL, ...) a connection to path;
 * a message in err on failure. */
int	sqlite_conn_open(const char *path, sqlite3 **out, char *err,
	    size_t errlen);
/* This thread's connection, opened on first use. NULL if it cannot open. */
struct conn *sqlite_conn_get(struct store_backend *b);
/* Finalizes a connection's statements and closes it. */
void	sqlite_conn_close(struct conn *c);

#endif
