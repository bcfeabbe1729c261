-- SPEC §10: issue_comments UPDATE and DELETE obey the same gates as INSERT:
-- no actor -> PC403 for non-operators; company access; an agent changes only
-- its own comments; author columns and company_id never change. On 1.0 there
-- was no guard on UPDATE or DELETE: paperclip_app, with no actor, edited,
-- deleted and re-attributed any comment of any company.
\set VERBOSITY verbose
\set C  '0000a005-0000-4000-8000-0000000000c1'
\set C2 '0000a005-0000-4000-8000-0000000000c2'
\set A  '0000a005-0000-4000-8000-0000000000a1'
\set B  '0000a005-0000-4000-8000-0000000000b1'
\set RA '0000a005-0000-4000-8000-000000000001'
\set RB '0000a005-0000-4000-8000-000000000002'
\set I  '0000a005-0000-4000-8000-000000000101'
\set KA '0000a005-0000-4000-8000-000000000201'
\set KU '0000a005-0000-4000-8000-000000000202'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Comments Co', 'SCOM'), (:'C2', 'Other Co', 'SCOM2');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role) VALUES
    (:'C', 'user', 'board-user', 'admin'), (:'C', 'user', 'viewer-user', 'viewer'), (:'C2', 'user', 'other-board', 'admin');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha'), (:'B', :'C', 'Beta');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'RA', :'C', :'A', 'running'), (:'RB', :'C', :'B', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES (:'I', :'C', 'discussed', 'todo');
INSERT INTO paperclip.issue_comments (id, company_id, issue_id, author_agent_id, body) VALUES (:'KA', :'C', :'I', :'A', 'by A');
INSERT INTO paperclip.issue_comments (id, company_id, issue_id, author_user_id, body) VALUES (:'KU', :'C', :'I', 'board-user', 'by the board');
CREATE ROLE regress_sec_comments_app LOGIN;
GRANT paperclip_app TO regress_sec_comments_app;
SET ROLE regress_sec_comments_app;

-- No actor: nothing.
UPDATE paperclip.issue_comments SET body = 'edited by nobody' WHERE id = :'KA';
DELETE FROM paperclip.issue_comments WHERE id = :'KU';
-- Another company's board user: no access.
BEGIN;
SELECT paperclip.set_actor_board('other-board');
UPDATE paperclip.issue_comments SET body = 'edited from outside' WHERE id = :'KA';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('other-board');
DELETE FROM paperclip.issue_comments WHERE id = :'KA';
ROLLBACK;
-- A viewer reads only.
BEGIN;
SELECT paperclip.set_actor_board('viewer-user');
UPDATE paperclip.issue_comments SET body = 'edited by a viewer' WHERE id = :'KU';
ROLLBACK;
-- Agent B edits or deletes A's comment, or the board's.
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
UPDATE paperclip.issue_comments SET body = 'B was here' WHERE id = :'KA';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'B', :'RB');
DELETE FROM paperclip.issue_comments WHERE id = :'KU';
ROLLBACK;
-- Re-attribution: the author columns and company_id never change, whoever asks.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
UPDATE paperclip.issue_comments SET author_agent_id = :'B' WHERE id = :'KA';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issue_comments SET author_user_id = 'someone-else' WHERE id = :'KU';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issue_comments SET author_user_id = NULL, author_agent_id = :'A' WHERE id = :'KU';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issue_comments SET company_id = :'C2' WHERE id = :'KU';
ROLLBACK;

-- What is allowed: A edits and deletes its own comment (through the
-- ownership gate, as INSERT), the board user its own.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
UPDATE paperclip.issue_comments SET body = 'by A, edited' WHERE id = :'KA';
COMMIT;
BEGIN;
SELECT paperclip.set_actor_board('board-user');
UPDATE paperclip.issue_comments SET body = 'by the board, edited' WHERE id = :'KU';
COMMIT;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
DELETE FROM paperclip.issue_comments WHERE id = :'KA';
COMMIT;
RESET ROLE;
SELECT right(id::text, 3) AS comment, right(author_agent_id::text, 2) AS author_agent, author_user_id, body
FROM paperclip.issue_comments WHERE issue_id = :'I' ORDER BY id;

DROP OWNED BY regress_sec_comments_app;
DROP ROLE regress_sec_comments_app;
