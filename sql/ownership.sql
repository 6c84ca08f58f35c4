--
-- ownership.sql: the ownership roll-up (OFAC / EU / UK rules and the
-- informational look-through) on hand-made cases whose answers are worked
-- out in the comments: OFAC's examples under every rule, thresholds, joint
-- arrangements, cycles, data-quality warnings and every input error.
-- Real ownership data is in ownership_data.sql.
--
SET client_min_messages = warning;

CREATE TEMP TABLE test_edges (case_name text, owner text, owned text,
                              share numeric, joint_group text);
CREATE TEMP TABLE test_blocked (case_name text, id text);

-- Roll-up of one case under one rule.
CREATE FUNCTION pg_temp.case_rollup(c text, r text)
RETURNS TABLE(entity_id text, blocked_share numeric, basis jsonb)
LANGUAGE sql AS $$
  SELECT * FROM sanctions.ownership_rollup(
    format('SELECT owner, owned, share, joint_group FROM test_edges WHERE case_name = %L', c),
    format('SELECT id FROM test_blocked WHERE case_name = %L', c), r)
$$;
CREATE FUNCTION pg_temp.case_explain(c text, entity text, r text)
RETURNS jsonb LANGUAGE sql AS $$
  SELECT sanctions.explain_ownership(entity,
    format('SELECT owner, owned, share, joint_group FROM test_edges WHERE case_name = %L', c),
    format('SELECT id FROM test_blocked WHERE case_name = %L', c), r)
$$;

INSERT INTO test_edges VALUES
  -- OFAC example 1: X (blocked) owns 50% of A -> A blocked; A owns 50% of B
  -- -> B blocked.  UK needs more than 50%: nothing.  Look-through: A 50,
  -- B 50% of 50% = 25.
  ('ex1_chain', 'X', 'A', 50, NULL),
  ('ex1_chain', 'A', 'B', 50, NULL),
  -- The same chain at 51%: UK too (X controls A, so A's stake in B is X's).
  -- Look-through: B = 51% of 51% = 26.01.
  ('ex1_chain_51', 'X', 'A', 51, NULL),
  ('ex1_chain_51', 'A', 'B', 51, NULL),
  -- OFAC example 2: X owns 10% of C and A (blocked, 50% X) owns 40% of C ->
  -- C blocked at 10 + 40 = 50.  UK: X does not control A (50 is not > 50),
  -- so X holds only 10% of C: nothing.  Look-through: C = 10 + 50% x 40 = 30.
  ('ex2_aggregate', 'X', 'A', 50, NULL),
  ('ex2_aggregate', 'X', 'C', 10, NULL),
  ('ex2_aggregate', 'A', 'C', 40, NULL),
  -- OFAC example 3: X owns 25% of A and of B (neither blocked); A and B each
  -- own 50% of C -> nothing blocked under any rule.  Look-through: A 25,
  -- B 25, C = 25% x 50 + 25% x 50 = 25.
  ('ex3_unblocked_via', 'X', 'A', 25, NULL),
  ('ex3_unblocked_via', 'X', 'B', 25, NULL),
  ('ex3_unblocked_via', 'A', 'C', 50, NULL),
  ('ex3_unblocked_via', 'B', 'C', 50, NULL),
  -- Two blocked persons with 25% each: OFAC / EU aggregate to 50 -> blocked;
  -- UK does not add up different designated persons -> nothing.
  ('two_persons_25', 'X', 'C', 25, NULL),
  ('two_persons_25', 'Y', 'C', 25, NULL),
  -- UK: 30 + 30 by two designated persons is 60 under OFAC / EU, nothing
  -- under UK ... unless recorded as one joint arrangement "g": then 60.
  ('uk_separate', 'X', 'C', 30, NULL),
  ('uk_separate', 'Y', 'C', 30, NULL),
  ('uk_joint', 'X', 'C', 30, 'g'),
  ('uk_joint', 'Y', 'C', 30, 'g'),
  -- A joint arrangement of a designated X with an undesignated Z: under UK
  -- X is treated as holding the joint 30 + 25 = 55 -> C blocked; OFAC / EU
  -- count only X's 30 -> nothing.  Look-through: C 30 (Z is not listed).
  ('uk_joint_with_unlisted', 'X', 'C', 30, 'g'),
  ('uk_joint_with_unlisted', 'Z', 'C', 25, 'g'),
  -- A joint arrangement without a designated member counts for nothing; X's
  -- own 10 is below every threshold.
  ('uk_joint_none_listed', 'Z', 'C', 30, 'g'),
  ('uk_joint_none_listed', 'W', 'C', 30, 'g'),
  ('uk_joint_none_listed', 'X', 'C', 10, NULL),
  -- A joint arrangement controlling J (60) and, through J, K (60).
  ('uk_joint_indirect', 'X', 'J', 30, 'g'),
  ('uk_joint_indirect', 'Y', 'J', 30, 'g'),
  ('uk_joint_indirect', 'J', 'K', 60, NULL),
  -- Exact thresholds: A 50 (blocked under OFAC / EU, not UK), B 49.99 and
  -- C 49.999999999 (not blocked), D 24.999999999 + 25.000000001 = exactly 50
  -- (OFAC / EU), E 50.000000001 (every rule, UK included).
  ('thresholds', 'X', 'A', 50, NULL),
  ('thresholds', 'X', 'B', 49.99, NULL),
  ('thresholds', 'X', 'C', 49.999999999, NULL),
  ('thresholds', 'X', 'D', 24.999999999, NULL),
  ('thresholds', 'Y', 'D', 25.000000001, NULL),
  ('thresholds', 'X', 'E', 50.000000001, NULL),
  -- A cycle with no listed party behind it blocks nothing (least fixed
  -- point), however large the shares.
  ('cycle_unlisted', 'A', 'B', 60, NULL),
  ('cycle_unlisted', 'B', 'A', 60, NULL),
  ('cycle_unlisted', 'X', 'Q', 10, NULL),
  -- X 50% of A; A 60% of B; B 30% of A.  OFAC: A blocked (50), then B (60),
  -- then B's 30 adds to A: A 80.  UK: X does not control A: nothing.
  -- Look-through: A 50 (X-A-B-A revisits A), B 50% x 60 = 30.
  ('cycle_listed', 'X', 'A', 50, NULL),
  ('cycle_listed', 'A', 'B', 60, NULL),
  ('cycle_listed', 'B', 'A', 30, NULL),
  -- Same at 51%: UK A = 51 + B's 30 = 81 (B controlled: 60), B 60.
  -- Look-through: A 51, B 51% x 60 = 30.6.
  ('cycle_uk', 'X', 'A', 51, NULL),
  ('cycle_uk', 'A', 'B', 60, NULL),
  ('cycle_uk', 'B', 'A', 30, NULL),
  -- A three-cycle fed by X: A 50 + C's 50 = 100, B 50, C 50 (OFAC / EU).
  -- Look-through: A 50, B 25, C 12.5.
  ('cycle_three', 'X', 'A', 50, NULL),
  ('cycle_three', 'A', 'B', 50, NULL),
  ('cycle_three', 'B', 'C', 50, NULL),
  ('cycle_three', 'C', 'A', 50, NULL),
  -- Two holdings of one owner in one entity are two edges only when they
  -- differ in joint arrangement: 30 + 25 = 55.
  ('two_holdings', 'X', 'A', 30, NULL),
  ('two_holdings', 'X', 'A', 25, 'g');

INSERT INTO test_blocked VALUES
  ('ex1_chain', 'X'), ('ex1_chain_51', 'X'), ('ex2_aggregate', 'X'),
  ('ex3_unblocked_via', 'X'),
  ('two_persons_25', 'X'), ('two_persons_25', 'Y'),
  ('uk_separate', 'X'), ('uk_separate', 'Y'),
  ('uk_joint', 'X'), ('uk_joint', 'Y'),
  ('uk_joint_with_unlisted', 'X'), ('uk_joint_none_listed', 'X'),
  ('uk_joint_indirect', 'X'), ('uk_joint_indirect', 'Y'),
  ('thresholds', 'X'), ('thresholds', 'Y'),
  ('cycle_unlisted', 'X'), ('cycle_listed', 'X'), ('cycle_uk', 'X'),
  ('cycle_three', 'X'), ('two_holdings', 'X'),
  -- a listed party twice is one listed party
  ('two_holdings', 'X');

-- Every case under every rule: entity=share of each row returned.
SELECT c.case_name, r.rule,
       coalesce(string_agg(x.entity_id || '=' || x.blocked_share, ', '
                           ORDER BY x.entity_id), '-') AS blocked
  FROM (SELECT DISTINCT case_name FROM test_edges) c
 CROSS JOIN (VALUES ('ofac'), ('eu'), ('uk'), ('lookthrough')) r(rule)
  LEFT JOIN LATERAL pg_temp.case_rollup(c.case_name, r.rule) x ON true
 GROUP BY 1, 2
 ORDER BY 1, array_position(ARRAY['ofac', 'eu', 'uk', 'lookthrough'], r.rule);

-- The basis of a row: the counted owners and the path that blocks each.
SELECT entity_id, blocked_share, jsonb_pretty(basis)
  FROM pg_temp.case_rollup('ex2_aggregate', 'ofac') WHERE entity_id = 'C';
SELECT jsonb_pretty(basis) FROM pg_temp.case_rollup('cycle_uk', 'uk')
 WHERE entity_id = 'A';
SELECT jsonb_pretty(basis) FROM pg_temp.case_rollup('uk_joint_indirect', 'uk')
 WHERE entity_id = 'K';
SELECT basis FROM pg_temp.case_rollup('ex3_unblocked_via', 'lookthrough')
 WHERE entity_id = 'C';
SELECT basis->>'rule' AS rule, basis->>'test' AS test
  FROM pg_temp.case_rollup('ex1_chain', 'eu') WHERE entity_id = 'B';

-- Explanations: blocked, not blocked, listed, unknown, per rule.
SELECT jsonb_pretty(pg_temp.case_explain('ex3_unblocked_via', 'C', 'ofac'));
SELECT jsonb_pretty(pg_temp.case_explain('ex2_aggregate', 'C', 'uk'));
SELECT jsonb_pretty(pg_temp.case_explain('two_persons_25', 'C', 'uk'));
SELECT jsonb_pretty(pg_temp.case_explain('cycle_three', 'A', 'lookthrough'));
SELECT pg_temp.case_explain('ex1_chain', 'X', 'ofac') #>> '{status}' AS listed,
       pg_temp.case_explain('ex1_chain', 'B', 'ofac') #>> '{status}' AS owned,
       pg_temp.case_explain('ex1_chain', 'nobody', 'ofac') AS unknown;

-- Data-quality warnings: self-ownership is left out, totals above 100% are
-- reported but still computed.
SET client_min_messages = notice;
INSERT INTO test_edges VALUES
  ('self', 'A', 'A', 20, NULL), ('self', 'X', 'A', 50, NULL),
  ('over_100', 'X', 'A', 60, NULL), ('over_100', 'Y', 'A', 60, NULL),
  ('over_100', 'X', 'B', 70, NULL), ('over_100', 'Y', 'B', 40, NULL);
INSERT INTO test_blocked VALUES ('self', 'X'), ('over_100', 'X');
SELECT entity_id, blocked_share FROM pg_temp.case_rollup('self', 'ofac');
SELECT entity_id, blocked_share FROM pg_temp.case_rollup('over_100', 'ofac');

-- Bad shares: an error naming the edge.
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 0::numeric)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', -5::numeric)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 100.5)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 'NaN'::numeric)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 'Infinity'::numeric)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 1e30)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 49.9999999999)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', NULL::numeric)$$, $$SELECT 'X'$$);
-- trailing zeros beyond nine places are exact and accepted
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 50.000000000000)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 100::numeric)$$, $$SELECT 'X'$$);

-- NULL ids, duplicates.
SELECT * FROM sanctions.ownership_rollup($$VALUES (NULL, 'A', 50::numeric)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', NULL, 50::numeric)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 50::numeric)$$, $$SELECT NULL::text$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 30::numeric), ('X', 'A', 20)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 30::numeric, 'g'), ('X', 'A', 20, 'g')$$, $$SELECT 'X'$$);

-- Malformed queries and wrong column types.
SELECT * FROM sanctions.ownership_rollup('SELEC owner FROM nowhere', $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup('SELECT * FROM no_such_table', $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup('NOTIFY ownership_test', $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A')$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 50::numeric, 'g', 1)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 50)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES (1, 'A', 50::numeric)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 50::numeric, 7)$$, $$SELECT 'X'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 50::numeric)$$, $$SELECT 'X', 'Y'$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 50::numeric)$$, $$SELECT 1$$);
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 50::numeric)$$, $$SELECT 'X'$$, 'OFAC');
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X', 'A', 50::numeric)$$, $$SELECT 'X'$$, NULL);
SELECT * FROM sanctions.ownership_rollup(NULL, $$SELECT 'X'$$);
SELECT sanctions.explain_ownership(NULL, $$VALUES ('X', 'A', 50::numeric)$$, $$SELECT 'X'$$);
-- varchar columns are text enough
SELECT * FROM sanctions.ownership_rollup($$VALUES ('X'::varchar, 'A'::varchar, 50::numeric)$$,
                                         $$SELECT 'X'::varchar$$);
-- an empty graph blocks nothing
SELECT * FROM sanctions.ownership_rollup($$SELECT owner, owned, share FROM test_edges WHERE false$$,
                                         $$SELECT 'X'$$);

-- The look-through sums simple paths, whose number explodes on dense
-- graphs: a clear error instead of a hang (11 entities each owning 5% of
-- the 10 others: about 10! paths from the listed one).  The legal rules
-- are linear and answer at once: nothing is blocked at 5% stakes.
SELECT count(*) FROM sanctions.ownership_rollup(
  $$SELECT 'n' || i, 'n' || j, 5::numeric FROM generate_series(0, 10) i, generate_series(1, 10) j WHERE i <> j$$,
  $$SELECT 'n0'$$, 'lookthrough');
SELECT count(*) FROM sanctions.ownership_rollup(
  $$SELECT 'n' || i, 'n' || j, 5::numeric FROM generate_series(0, 10) i, generate_series(1, 10) j WHERE i <> j$$,
  $$SELECT 'n0'$$, 'ofac');

-- The queries run with the caller's privileges.
CREATE ROLE regress_ownership_analyst;
GRANT USAGE ON SCHEMA sanctions TO regress_ownership_analyst;
SET ROLE regress_ownership_analyst;
SELECT * FROM pg_temp.case_rollup('ex1_chain', 'ofac');
RESET ROLE;
REVOKE USAGE ON SCHEMA sanctions FROM regress_ownership_analyst;
DROP ROLE regress_ownership_analyst;
