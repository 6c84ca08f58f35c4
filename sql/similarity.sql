-- similarity: each rule of the scorer on real list names (OFAC SDN spelling),
-- asserted as a relation to the threshold (match / no match) or to other
-- scores, never as long floats; the % and <-> operators with NULLs and text
-- operands; the explain_similarity structure.
SET search_path = public, sanctions;
SET extra_float_digits = 0;

CREATE TEMP TABLE cases (rule text, query text, listed text, expected text);
INSERT INTO cases VALUES
  -- token order
  ('order', 'Tianxin Chen', 'CHEN, Tianxin', 'match'),
  ('order', 'Bin Ladin Usama', 'Usama BIN LADIN', 'match'),
  ('order', 'Moros Nicolas Maduro', 'MADURO MOROS, Nicolas', 'match'),
  -- split and joined tokens
  ('split/join', 'Tian Xin Chen', 'CHEN, Tianxin', 'match'),
  ('split/join', 'JSC ARGUMENT', 'JSCARGUMENT', 'match'),
  ('split/join', 'Madurom Oros Nicolas', 'MADURO MOROS, Nicolas', 'match'),
  -- typos scaled to token length
  ('typo', 'Nicolas MADURA MOROS', 'MADURO MOROS, Nicolas', 'match'),
  ('typo', 'Yevgeniy Prigozhyn', 'PRIGOZHIN, Yevgeniy Viktorovich', 'match'),
  ('typo', 'Yevgenyi Prigozihn', 'PRIGOZHIN, Yevgeniy Viktorovich', 'match'),
  ('typo', 'Lu Yi', 'LI, Yi', 'no match'),
  ('typo', 'Li Ye', 'LI, Yi', 'no match'),
  -- transliteration and phonetic variants
  ('phonetic', 'Mohammed Husayn Fadlallah', 'FADLALLAH, Shaykh Muhammad Husayn', 'match'),
  ('phonetic', 'Mohamed Hussein Fadlallah', 'FADLALLAH, Shaykh Muhammad Husayn', 'match'),
  ('phonetic', 'Evgeny Prigozhin', 'PRIGOZHIN, Yevgeniy Viktorovich', 'match'),
  ('phonetic', 'Evgenii Prigozhin', 'PRIGOZHIN, Yevgeniy Viktorovich', 'match'),
  ('phonetic', 'Muammar Gaddafi', 'QADHAFI, Muammar', 'match'),
  ('phonetic', 'Muammar Kadhafi', 'QADHAFI, Muammar', 'match'),
  ('phonetic', 'Saddam Husayn al-Tikriti', 'AL-TIKRITI, Saddam Hussein', 'match'),
  -- other scripts against the Latin list spelling
  ('script', '陈天新', 'CHEN, Tianxin', 'match'),
  ('script', 'Евгений Пригожин', 'PRIGOZHIN, Yevgeniy Viktorovich', 'match'),
  ('script', 'معمر القذافي', 'QADHAFI, Muammar', 'match'),
  ('script', 'صدام حسين التكريتي', 'AL-TIKRITI, Saddam Hussein', 'match'),
  ('script', '김정은', 'KIM, Jong Un', 'match'),
  -- initials, missing and extra tokens
  ('initial', 'Yevgeniy V. Prigozhin', 'PRIGOZHIN, Yevgeniy Viktorovich', 'match'),
  ('missing middle', 'Yevgeniy Prigozhin', 'PRIGOZHIN, Yevgeniy Viktorovich', 'match'),
  ('missing middle', 'Saddam al-Tikriti', 'AL-TIKRITI, Saddam Hussein', 'match'),
  -- rarity: generic words and legal forms weigh little
  ('rarity', 'Shenzhen Mean Well Electronics', 'SHENZHEN CITY MEAN WELL ELECTRONICS CO., LTD.', 'match'),
  ('rarity', 'Shenzhen Mean Well Electronics', 'SHENZHEN RAYMING ELECTRONIC CO LTD', 'no match'),
  ('rarity', 'Shenzhen Mean Well Electronics', 'SHENZHEN JINGHONG ELECTRONIC TECHNOLOGY CO. LTD.', 'no match'),
  ('rarity', 'Shenzhen Mean Well Electronics', 'SHENZHEN CASPRO TECHNOLOGY CO., LTD', 'no match'),
  ('rarity', 'Beijing Jinghua Qidi Electronic Technology', 'BEIJING SANSHUNDA ELECTRONICS SCIENCE AND TECHNOLOGY CO., LTD.', 'no match'),
  ('rarity', 'Beijing Jinghua Qidi Electronic Technology Company Limited', 'BEIJING JINGHUA QIDI ELECTRONIC TECHNOLOGY CO., LTD.', 'match'),
  -- numbers must agree
  ('number', 'RYONG GANG 3', 'RYONG GANG 2', 'no match'),
  ('number', 'RYONG GANG', 'RYONG GANG 2', 'no match'),
  ('number', 'Snow Storm 1', 'Snow Storm 2', 'no match'),
  ('number', 'OFFICE 93', 'OFFICE 39', 'no match'),
  ('number', 'Office 39', 'OFFICE 39', 'match'),
  -- known false friends
  ('false friend', 'George Bush', 'George Habbash', 'no match'),
  ('false friend', 'KIM Jong Un', 'KIM, Jong Man', 'no match'),
  ('false friend', 'KIM Jong Sik', 'KIM, Jong Un', 'no match'),
  ('false friend', 'Olaf Scholz', 'Octavian Scholz', 'no match'),
  ('false friend', 'Emma LLC', 'Emma Daniels', 'no match'),
  ('false friend', 'Pavel Prigozhin', 'PRIGOZHIN, Yevgeniy Viktorovich', 'no match');

SELECT rule, query, listed, expected,
       CASE WHEN similarity(query::normname, listed::normname)
                 >= current_setting('sanctions.similarity_threshold')::float4
            THEN 'match' ELSE 'no match' END AS verdict
  FROM cases ORDER BY rule, query, listed;

-- the default threshold (chosen from bench/quality, see doc/similarity.md)
SHOW sanctions.similarity_threshold;

-- the score is symmetric
SELECT count(*) AS asymmetric FROM cases
 WHERE similarity(query::normname, listed::normname) <> similarity(listed::normname, query::normname);

-- initials: partial credit, less than the full given name, more than none
SELECT similarity('Y. Prigozhin', 'PRIGOZHIN, Yevgeniy') < similarity('Yevgeniy Prigozhin', 'PRIGOZHIN, Yevgeniy') AS initial_below_full,
       similarity('Y. Prigozhin', 'PRIGOZHIN, Yevgeniy') > similarity('Prigozhin', 'PRIGOZHIN, Yevgeniy') AS initial_above_missing,
       similarity('Y. Prigozhin', 'PRIGOZHIN, Yevgeniy') > similarity('P. Prigozhin', 'PRIGOZHIN, Yevgeniy') AS initial_must_agree;

-- a missing middle name costs less than a conflicting given name
SELECT similarity('Yevgeniy Prigozhin', 'PRIGOZHIN, Yevgeniy Viktorovich')
       > similarity('Yevgeniy Pavel Prigozhin', 'PRIGOZHIN, Yevgeniy Viktorovich') AS missing_costs_less;

-- one edit costs less in a long token than in a short one
SELECT similarity('Prigozhyn', 'Prigozhin') > similarity('Lu', 'Li') AS long_token_tolerates_typo,
       similarity('Lu', 'Li') = 0 AS short_token_does_not;

-- generic words and legal forms weigh less than distinctive tokens
SELECT t.token, t.weight < 0.5 AS light
  FROM unnest(tokens('Shenzhen City Mean Well Electronics Co., Ltd.'),
              token_weights('Shenzhen City Mean Well Electronics Co., Ltd.')) WITH ORDINALITY t(token, weight, i)
 ORDER BY t.i;

-- the operators, with the threshold setting
CREATE TEMP TABLE screened (id int, raw text, name normname);
INSERT INTO screened VALUES
  (1, 'Tianxin Chen', 'Tianxin Chen'), (2, 'Chen Tian', 'Chen Tian'),
  (3, 'Evgeny Prigozhin', 'Evgeny Prigozhin'), (4, NULL, NULL);
SELECT id, name % 'CHEN, Tianxin' AS nn, raw % 'CHEN, Tianxin'::normname AS tn,
       'CHEN, Tianxin'::normname % raw AS nt, (name <-> 'CHEN, Tianxin') = (raw <-> 'CHEN, Tianxin'::normname) AS same_distance
  FROM screened ORDER BY id;
SELECT id FROM screened ORDER BY name <-> 'PRIGOZHIN, Yevgeniy Viktorovich', id LIMIT 2;
SELECT (name <-> name) = 0 AS self_distance_zero FROM screened WHERE id = 1;
SELECT NULL::normname % 'CHEN, Tianxin' AS null_left, 'CHEN, Tianxin' <-> NULL::normname AS null_right;
SET sanctions.similarity_threshold = 1.0;
SELECT 'Tianxin Chen'::normname % 'CHEN, Tianxin' AS exact_at_1, 'Tian Xin Chen'::normname % 'CHEN, Tianxin' AS variant_at_1;
SET sanctions.similarity_threshold = 0.0;
SELECT 'George Bush'::normname % 'Olaf Scholz' AS anything_at_0;
RESET sanctions.similarity_threshold;
SET sanctions.similarity_threshold = 1.5;

-- explain_similarity: structure, and its score is the similarity
SELECT jsonb_pretty(explain_similarity('Tian Xin Chen', 'CHEN, Tianxin'));
SELECT e.value->>'query' AS query, e.value->>'listed' AS listed, e.value->>'rule' AS rule
  FROM jsonb_array_elements(explain_similarity('Y. Saddam Husayn al-Tikriti 2', 'AL-TIKRITI, Saddam Hussein Yasin')->'alignment') e
 ORDER BY 1;
SELECT x->'unmatched_query' AS unmatched_query, x->'unmatched_listed' AS unmatched_listed,
       jsonb_path_query_array(x, '$.penalties[*].penalty') AS penalties
  FROM explain_similarity('Y. Saddam Husayn al-Tikriti 2', 'AL-TIKRITI, Saddam Hussein Yasin') x;
SELECT count(*) AS explain_disagrees FROM cases
 WHERE (explain_similarity(query::normname, listed::normname)->>'score')::float4
       <> similarity(query::normname, listed::normname);

-- the index contract, on the cases: a score above 0 needs a shared block key,
-- and the bound is never below the score either way
SELECT count(*) FILTER (WHERE similarity(query::normname, listed::normname) > 0
                          AND NOT block_keys(query::normname) && block_keys(listed::normname)) AS score_without_key,
       count(*) FILTER (WHERE similarity_upper_bound(query::normname, listed::normname)
                              < greatest(similarity(query::normname, listed::normname),
                                         similarity(listed::normname, query::normname))) AS bound_below_score
  FROM cases;
