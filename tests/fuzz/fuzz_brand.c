/* Brand-name normalization: public names and descriptions against the
 * brand (NFKC, case fold, letters and digits only; and the UTS #39
 * skeletons through ICU), and the name rules.
 * Input: text NUL brand (the configured one when absent). */
#include "fuzz.h"

#include "core/app_rules.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct str in = { (const char *)data, size };
	struct str text = fuzz_piece(&in), brand_in = fuzz_piece(&in);
	char *t = fuzz_exact(text);
	char *brand = calloc(1, brand_in.len + sizeof("keygate"));

	memcpy(brand, brand_in.p, brand_in.len);
	if (brand[0] == '\0')
		strcpy(brand, "keygate");
	text.p = t;
	app_rule_name(text);
	app_rule_description(text);
	app_rule_public_name(text, brand);
	/* a public name that contains the brand is refused */
	if (app_rule_contains_brand(text, brand))
		FUZZ_CHECK(app_rule_public_name(text, brand) != NULL);
	/* and so is one that is the brand folded other ways */
	if (app_rule_contains_brand(str_from(brand), brand))
		FUZZ_CHECK(app_rule_public_name(str_from(brand), brand) !=
		    NULL);
	free(brand);
	free(t);
	return 0;
}
