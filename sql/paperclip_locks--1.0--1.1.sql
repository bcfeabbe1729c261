-- paperclip_locks 1.0 -> 1.1 (ALTER EXTENSION paperclip_locks UPDATE).
-- Runs in one transaction: an error anywhere leaves the database at 1.0.
-- Every object change made in paperclip_locks--1.1.sql goes here too (append
-- new table columns at the end in both, so the row types match);
-- test/upgrade_drift.sh fails when the two paths give different catalogs.
\echo Use "ALTER EXTENSION paperclip_locks UPDATE TO '1.1'" to load this file. \quit
