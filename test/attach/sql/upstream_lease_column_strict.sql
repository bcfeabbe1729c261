-- SPEC §9 run_lease_column, mode strict: the scenario is test/attach/scenario/lease_column.psql.
\set mode strict
\set compat false
\i test/attach/scenario/lease_column.psql
