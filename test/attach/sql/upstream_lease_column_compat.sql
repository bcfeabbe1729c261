-- SPEC §9 run_lease_column, mode compat: the scenario is test/attach/scenario/lease_column.psql.
\set mode compat
\set compat true
\i test/attach/scenario/lease_column.psql
