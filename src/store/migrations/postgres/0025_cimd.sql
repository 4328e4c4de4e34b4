-- Client metadata documents (docs/REFERENCE.md §22.2): a client_id that is
-- an https URL is materialized as an app whose api_key is that URL, so that
-- its grants, codes, tokens and usage hang off an app row like any other's.
-- cimd_fetched_at is when its document was last fetched and written here;
-- NULL for every ordinary app, which a document never overwrites. Such apps
-- belong to one account no one can log in to (store/stmt.h
-- CIMD_OWNER_EMAIL), made when the first one is written.

ALTER TABLE apps ADD COLUMN cimd_fetched_at bigint;
