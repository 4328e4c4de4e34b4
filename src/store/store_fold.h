#ifndef KEYGATE_STORE_STORE_FOLD_H
#define KEYGATE_STORE_STORE_FOLD_H

#include <stddef.h>

struct store;

/* One fold of the use log as it stands (store_use_log_fold(), which holds
 * the handle's fold lock around it); *folded grows by the tokens
 * written. */
int	store_fold_log(struct store *st, size_t *folded);

#endif
