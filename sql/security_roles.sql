-- SPEC §10: the group roles are cluster-wide. A login role granted
-- paperclip_app for this database holds it in every database of the cluster
-- that has the extension, and by default may connect to all of them.
-- paperclip.group_role_reach shows a DBA that reach (README, "Roles on a
-- shared cluster"); this file shows it finds what it should.
CREATE ROLE regress_sec_roles_app LOGIN;
CREATE ROLE regress_sec_roles_team NOLOGIN;
CREATE ROLE regress_sec_roles_member LOGIN;
GRANT paperclip_app TO regress_sec_roles_app;
-- Membership through another role counts too.
GRANT paperclip_reader TO regress_sec_roles_team;
GRANT regress_sec_roles_team TO regress_sec_roles_member;
CREATE DATABASE regress_sec_tenant_b;
-- CONNECT is PUBLIC's by default: both roles reach the other tenant's database.
SELECT group_role, member_role, can_login, is_this_database
FROM paperclip.group_role_reach
WHERE member_role::text LIKE 'regress_sec_roles%' AND (database_name = 'regress_sec_tenant_b' OR is_this_database)
ORDER BY member_role, is_this_database;
-- What the README tells a multi-tenant DBA to do: CONNECT per tenant.
REVOKE CONNECT ON DATABASE regress_sec_tenant_b FROM PUBLIC;
SELECT group_role, member_role, is_this_database
FROM paperclip.group_role_reach
WHERE member_role::text LIKE 'regress_sec_roles%' AND (database_name = 'regress_sec_tenant_b' OR is_this_database)
ORDER BY member_role, is_this_database;
GRANT CONNECT ON DATABASE regress_sec_tenant_b TO regress_sec_roles_member;
SELECT member_role FROM paperclip.group_role_reach
WHERE member_role::text LIKE 'regress_sec_roles%' AND database_name = 'regress_sec_tenant_b';
-- Operators read it; the application does not (it lists other tenants' roles).
SET ROLE regress_sec_roles_app;
SELECT count(*) FROM paperclip.group_role_reach;
RESET ROLE;
DROP DATABASE regress_sec_tenant_b;
DROP ROLE regress_sec_roles_app, regress_sec_roles_member, regress_sec_roles_team;
