# Sourced (not run) by the upgrade tests: a normalised, complete description of one
# extension's catalog in a database, for comparing two databases with diff.
#
# describe_extension DB EXT OUT writes to OUT:
#   1. the extension row (version, relocatable, config tables and their filters);
#   2. its member objects (pg_describe_object) and their initial privileges
#      (pg_init_privs, what pg_dump treats as the extension's own ACLs);
#   3. pg_dump of schema paperclip, schema and data, after every member is
#      detached from the extension (ALTER EXTENSION ... DROP): pg_dump then
#      writes each object in full -- columns in order, defaults, constraints,
#      indexes, triggers, views, function bodies and attributes, comments,
#      owners and GRANTs -- and the rows the scripts seed (timestamps masked).
# It is destructive: the extension is dropped (its objects stay, detached).
# Needs the PG* environment of the server; fails on any SQL error.
describe_extension() {
    local db=$1 ext=$2 out=$3
    psql -X -At -v ON_ERROR_STOP=1 -d "$db" >"$out" <<SQL
SELECT 'extension ' || e.extversion || ' relocatable=' || e.extrelocatable
       || ' schema=' || e.extnamespace::regnamespace
FROM pg_extension e WHERE e.extname = '$ext';
SELECT 'config ' || c.oid::regclass || ' filter=' || coalesce(e.extcondition[i], '')
FROM pg_extension e, generate_subscripts(e.extconfig, 1) AS i, pg_class c
WHERE e.extname = '$ext' AND c.oid = e.extconfig[i]
ORDER BY 1;
SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
FROM pg_depend d JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE e.extname = '$ext' AND d.deptype = 'e'
ORDER BY 1;
SELECT 'init_privs ' || pg_describe_object(p.classoid, p.objoid, p.objsubid) || ' ' || p.privtype::text
       || ' ' || p.initprivs::text
FROM pg_init_privs p
JOIN pg_depend d ON d.classid = p.classoid AND d.objid = p.objoid AND d.deptype = 'e'
JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE e.extname = '$ext'
ORDER BY 1;
SQL
    # Detach every member (the schema last), then drop the now empty extension.
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
DO \$\$
DECLARE
    m record;
BEGIN
    FOR m IN
        SELECT o.type, o.identity
        FROM pg_depend d
        JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
        CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, d.objsubid) AS o
        WHERE e.extname = '$ext' AND d.deptype = 'e'
        ORDER BY o.type = 'schema', o.type, o.identity
    LOOP
        EXECUTE format('ALTER EXTENSION $ext DROP %s %s', upper(m.type), m.identity);
    END LOOP;
END
\$\$;
DROP EXTENSION $ext;
SQL
    pg_dump --no-tablespaces -n paperclip "$db" |
        grep -vE '^(--|SET |SELECT pg_catalog\.set_config|\\restrict |\\unrestrict )' | sed '/^$/d' |
        sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9.]+\+[0-9]{2}/<timestamp>/g' >>"$out"
}

