-- Vigil registry, version 16 (PostgreSQL): readings' ids stay uncached (CACHE 1, PostgreSQL's default, set
-- explicitly). PostgreSQL caches sequence values per connection, so with a cache a device's later reading could
-- get a lower id than its earlier one (readings are read back in id order); and nextval costs no commit there.
-- The H2 twin raises H2's cache (shared by all connections there), whose refills each cost a commit.
ALTER TABLE telemetry ALTER COLUMN id SET CACHE 1;
