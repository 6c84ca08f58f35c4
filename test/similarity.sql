-- similarity: contract properties of the scorer over real list names (OFAC
-- SDN aliases): range, self-similarity, symmetry, explain = similarity, and
-- the namesim contract (a score above 0 needs a shared block key; the upper
-- bound is >= the score both ways, 0 without a shared key, monotone); the
-- catalog (volatility) and the token statistics cache invalidation.
BEGIN;
SELECT plan(19);
SET LOCAL search_path = public, sanctions;

SELECT volatility_is('sanctions', 'similarity', ARRAY['normname', 'normname'], 'stable',
                     'similarity is STABLE (token weights come from a table)');
SELECT volatility_is('sanctions', 'block_keys', ARRAY['normname'], 'immutable',
                     'block keys depend on the name only');
SELECT is((SELECT count(*)::int FROM pg_operator
            WHERE oprname IN ('%', '<->') AND oprnamespace = 'sanctions'::regnamespace), 6,
          '% and <-> for (normname, normname), (text, normname), (normname, text)');

-- real names: the SDN aliases of 2024-09
CREATE TEMP TABLE alt_raw (ent_num text, alt_num text, alt_type text, alt_name text, alt_remarks text);
\copy alt_raw FROM 'data/ofac/2024-09/alt.csv' WITH (FORMAT csv, HEADER true)
CREATE FUNCTION pg_temp.try_normname(t text) RETURNS sanctions.normname LANGUAGE plpgsql AS
$$ BEGIN RETURN t::sanctions.normname; EXCEPTION WHEN others THEN RETURN NULL; END $$;
CREATE TEMP TABLE names AS
  SELECT ent_num::int AS ent, n
    FROM (SELECT ent_num, pg_temp.try_normname(alt_name) AS n FROM alt_raw
           WHERE ent_num ~ '^[0-9]+$' ORDER BY ent_num::int, alt_num::int LIMIT 3000) x
   WHERE n IS NOT NULL;
-- pairs: aliases of one entity (alike), names sharing a token (near), any two (far)
CREATE TEMP TABLE pairs AS
  SELECT a.n AS a, b.n AS b FROM names a JOIN names b ON a.ent = b.ent AND a.n::text < b.n::text
  UNION ALL
  SELECT a.n, b.n FROM (SELECT n, row_number() OVER () AS i FROM names) a
    JOIN LATERAL (SELECT b.n FROM names b
                   WHERE b.n::text <> a.n::text AND b.n::text LIKE '%' || (tokens(a.n))[1] || '%'
                   LIMIT 3) b ON true
   WHERE a.i % 3 = 0
  UNION ALL
  SELECT a.n, b.n FROM (SELECT n, row_number() OVER () AS i FROM names) a
    JOIN (SELECT n, row_number() OVER () AS i FROM names) b ON b.i = a.i + 7;
CREATE TEMP TABLE scored AS
  SELECT a, b, similarity(a, b) AS ab, similarity(b, a) AS ba,
         similarity_upper_bound(a, b) AS ub_ab, similarity_upper_bound(b, a) AS ub_ba,
         block_keys(a) && block_keys(b) AS share_key
    FROM pairs;

SELECT cmp_ok((SELECT count(*) FROM scored)::int, '>=', 4000, 'at least 4000 real name pairs');
SELECT cmp_ok((SELECT count(*) FROM scored WHERE ab >= 0.8)::int, '>=', 300,
              'the pairs include several hundred matches');
SELECT is_empty($$ SELECT a, b FROM scored WHERE ab < 0 OR ab > 1 OR ab IS NULL $$, 'similarity is in [0, 1]');
SELECT is_empty($$ SELECT n FROM names WHERE similarity(n, n) <> 1 $$, 'a name is 1 to itself');
SELECT is_empty($$ SELECT a, b, ab, ba FROM scored WHERE ab <> ba $$, 'similarity is symmetric');
SELECT is_empty($$ SELECT a, b FROM scored
                    WHERE (explain_similarity(a, b)->>'score')::float4 <> ab $$,
                'explain_similarity reports the score of similarity');
SELECT is_empty($$ SELECT a, b, ab FROM scored WHERE ab > 0 AND NOT share_key $$,
                'a score above 0 needs a shared block key');
SELECT is_empty($$ SELECT a, b, ab, ub_ab FROM scored WHERE ub_ab < ab OR ub_ab < ba $$,
                'the bound of the query is >= the score, whichever side is the query');
SELECT is_empty($$ SELECT a, b, ub_ab FROM scored WHERE NOT share_key AND (ub_ab <> 0 OR ub_ba <> 0) $$,
                'the bound is 0 when no block key is shared');
SELECT is_empty($$ SELECT a, b FROM scored
                    WHERE share_key AND ub_ab > similarity_upper_bound(a, (b::text || ' ' || a::text)::normname) $$,
                'the bound is monotone: a candidate sharing more keys never gets a lower bound');
SELECT cmp_ok((SELECT count(*) FROM scored WHERE share_key AND ub_ab < 0.8)::int, '>', 0,
              'the bound prunes some candidates that share a key');

-- token statistics: a change to sanctions.token_stats reaches the weights
SELECT is((token_weights('Qidi Sanshunda'))[1], 1::float4, 'an unseen token weighs 1 without statistics');
INSERT INTO sanctions.token_stats_source (names) VALUES (1000);
INSERT INTO sanctions.token_stats (token, names) VALUES ('qidi', 500), ('sanshunda', 1);
SELECT cmp_ok((token_weights('Qidi Sanshunda'))[1], '<', 0.5::float4, 'a common token weighs less once counted');
SELECT cmp_ok((token_weights('Qidi Sanshunda'))[2], '>', 0.9::float4, 'a rare token keeps its weight');
DELETE FROM sanctions.token_stats;
SELECT is((token_weights('Qidi Sanshunda'))[1], 1::float4, 'weights follow the statistics when they are cleared');
SELECT CASE WHEN to_regclass('sanctions.entity_name') IS NULL
            THEN throws_ok('SELECT sanctions.refresh_token_stats()', '42P01', NULL,
                           'refresh_token_stats needs the list tables')
            ELSE lives_ok('SELECT sanctions.refresh_token_stats()',
                          'refresh_token_stats counts the loaded lists') END;

SELECT * FROM finish();
ROLLBACK;
