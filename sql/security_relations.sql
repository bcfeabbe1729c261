-- SPEC §10: issue_relations -- the relation, issue_id and related_issue_id
-- belong to one company, and the writer has write access to it. On 1.0 an
-- agent of company A created blockers between company B's issues (B's
-- checkouts then failed with 422, and B's board could not remove them).
\set VERBOSITY verbose
\set C  '0000a006-0000-4000-8000-0000000000c1'
\set C2 '0000a006-0000-4000-8000-0000000000c2'
\set A  '0000a006-0000-4000-8000-0000000000a1'
\set X  '0000a006-0000-4000-8000-0000000000a2'
\set RA '0000a006-0000-4000-8000-000000000001'
\set RX '0000a006-0000-4000-8000-000000000002'
\set IA '0000a006-0000-4000-8000-000000000101'
\set IB1 '0000a006-0000-4000-8000-000000000201'
\set IB2 '0000a006-0000-4000-8000-000000000202'
INSERT INTO paperclip.companies (id, name, issue_prefix) VALUES (:'C', 'Relations A', 'SREL'), (:'C2', 'Relations B', 'SREL2');
INSERT INTO paperclip.company_memberships (company_id, principal_type, principal_id, membership_role) VALUES
    (:'C', 'user', 'board-a', 'admin'), (:'C2', 'user', 'board-b', 'admin');
INSERT INTO paperclip.agents (id, company_id, name) VALUES (:'A', :'C', 'Alpha'), (:'X', :'C2', 'Xray');
INSERT INTO paperclip.heartbeat_runs (id, company_id, agent_id, status) VALUES
    (:'RA', :'C', :'A', 'running'), (:'RX', :'C2', :'X', 'running');
INSERT INTO paperclip.issues (id, company_id, title, status) VALUES
    (:'IA', :'C', 'in A', 'todo'), (:'IB1', :'C2', 'in B, one', 'todo'), (:'IB2', :'C2', 'in B, two', 'todo');
CREATE ROLE regress_sec_rel_app LOGIN;
GRANT paperclip_app TO regress_sec_rel_app;
SET ROLE regress_sec_rel_app;

-- Agent A, company A: a relation labelled company A between B's issues ...
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
INSERT INTO paperclip.issue_relations (company_id, issue_id, related_issue_id) VALUES (:'C', :'IB1', :'IB2');
ROLLBACK;
-- ... or between its own issue and one of B's, either way round.
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
INSERT INTO paperclip.issue_relations (company_id, issue_id, related_issue_id) VALUES (:'C', :'IA', :'IB1');
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_agent(:'A', :'RA');
INSERT INTO paperclip.issue_relations (company_id, issue_id, related_issue_id) VALUES (:'C', :'IB1', :'IA');
ROLLBACK;
-- The same as company A's board user.
BEGIN;
SELECT paperclip.set_actor_board('board-a');
INSERT INTO paperclip.issue_relations (company_id, issue_id, related_issue_id) VALUES (:'C', :'IB1', :'IB2');
ROLLBACK;
-- B's own relation, then A's board moving it: pointing it at A's issue, or relabelling it.
BEGIN;
SELECT paperclip.set_actor_board('board-b');
INSERT INTO paperclip.issue_relations (id, company_id, issue_id, related_issue_id)
    VALUES ('0000a006-0000-4000-8000-000000000301', :'C2', :'IB1', :'IB2');
COMMIT;
BEGIN;
SELECT paperclip.set_actor_board('board-a');
UPDATE paperclip.issue_relations SET related_issue_id = :'IA' WHERE id = '0000a006-0000-4000-8000-000000000301';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-a');
UPDATE paperclip.issue_relations SET company_id = :'C' WHERE id = '0000a006-0000-4000-8000-000000000301';
ROLLBACK;
BEGIN;
SELECT paperclip.set_actor_board('board-b');
UPDATE paperclip.issue_relations SET related_issue_id = :'IA' WHERE id = '0000a006-0000-4000-8000-000000000301';
ROLLBACK;
-- B's board removes its own relation.
BEGIN;
SELECT paperclip.set_actor_board('board-b');
DELETE FROM paperclip.issue_relations WHERE id = '0000a006-0000-4000-8000-000000000301';
COMMIT;
-- Agent X checks out B's issue: no planted blocker stands in its way.
BEGIN;
SELECT paperclip.set_actor_agent(:'X', :'RX');
SELECT status FROM paperclip.checkout(:'IB2', :'X', '{todo}');
COMMIT;
RESET ROLE;
SELECT count(*) AS relations FROM paperclip.issue_relations WHERE company_id IN (:'C', :'C2')
    OR issue_id IN (:'IA', :'IB1', :'IB2') OR related_issue_id IN (:'IA', :'IB1', :'IB2');
DROP OWNED BY regress_sec_rel_app;
DROP ROLE regress_sec_rel_app;
