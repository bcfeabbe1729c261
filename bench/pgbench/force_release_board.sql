-- admin_force_release by a board user (admin of the issue's company) on a
-- random live-locked issue (agents 500-999, n % 5 = 1).
\set a random(500, 999)
\set j random(0, :block / 5 - 1)
\set issue 100000000000 + :a * :block + 5 * :j + 1
\set company :a / 10
BEGIN;
SELECT paperclip.set_actor_board('board' || :company || '@bench.test');
SELECT * FROM paperclip.admin_force_release(('e0000000-0000-4000-8000-' || :issue)::uuid, false, 'bench');
COMMIT;
