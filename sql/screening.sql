-- Screening (section 5): screen(), batch and delta screening, the trigger in
-- both modes, alerts and their status flow, decisions (suppression and
-- re-opening after the listed entity changes), the audit log, privileges and
-- a parallel plan.  The lists are two versions of a small OFAC-format list
-- loaded with the real loader.
-- It runs in a database of its own, so that the lists other suites leave
-- loaded do not change its hits.
CREATE DATABASE screening_regress TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C';
\c screening_regress
SET client_min_messages = warning;
CREATE EXTENSION sanctions;
SET client_min_messages = notice;
\set SHOW_CONTEXT never
\set v1 '1001,"CHEN, Tianxin","individual","NPWMD",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 28 Jul 1987; nationality China; Gender Female."\n1002,"BEIJING JINGHUA QIDI ELECTRONIC TECHNOLOGY CO., LTD.",-0- ,"NPWMD",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Organization Established Date 03 Sep 2019."\n1003,"MARIA ELENA","vessel","CUBA",-0- ,"HOXX","Cargo",-0- ,-0- ,"Panama",-0- ,-0- \n1004,"MARIA ELENA","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1960; nationality Mexico."\n1005,"GRAND PACIFIC TRADING COMPANY LIMITED",-0- ,"IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. ''GRAND TRADING''."\n'
\set v2 '1001,"CHEN, Tianxin","individual","NPWMD",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 28 Jul 1987; nationality China; Gender Female; National ID No. 320681198707288223."\n1002,"BEIJING JINGHUA QIDI ELECTRONIC TECHNOLOGY CO., LTD.",-0- ,"NPWMD",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Organization Established Date 03 Sep 2019."\n1003,"MARIA ELENA","vessel","CUBA",-0- ,"HOXX","Cargo",-0- ,-0- ,"Panama",-0- ,-0- \n1004,"MARIA ELENA","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1960; nationality Mexico."\n1005,"GRAND PACIFIC TRADING COMPANY LIMITED",-0- ,"IRAN",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. ''GRAND TRADING''."\n1006,"ACME ROCKET HOLDINGS LIMITED",-0- ,"NPWMD",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n'
SELECT version_id AS v1 FROM sanctions.load_ofac_sdn(convert_to(E:'v1', 'UTF8'), published => '2024-01-01',
                                                      list_code => 'test_sdn', file_names => '{sdn.csv}') \gset
SELECT code, (counts->>'entities')::int AS entities FROM sanctions.list l JOIN sanctions.list_version v USING (list_id);
SELECT source_id, raw_name, name_kind, weak FROM sanctions.entity_name JOIN sanctions.entity USING (entity_id) ORDER BY 1, 2;

-- screen(): list spelling, Chinese characters, reordered, other legal-form spelling; clean names do not hit
SELECT source_id, matched_name, name_kind, score, name_score FROM sanctions.screen('CHEN, Tianxin');
SELECT source_id, matched_name, score FROM sanctions.screen('陈天新');
SELECT source_id, matched_name, score FROM sanctions.screen('Tianxin Chen');
SELECT source_id, matched_name, score FROM sanctions.screen('Beijing Jinghua Qidi Electronic Technology Company Limited');
SELECT count(*) AS clean_hits FROM sanctions.screen('Müller Gartenbau GmbH');
SELECT count(*) AS clean_hits FROM sanctions.screen('John Smith');
-- the explanation says why
SELECT explanation->>'listed' AS listed, explanation->>'name_kind' AS kind, (explanation->'name'->>'score')::real = name_score AS explains_score,
       jsonb_typeof(explanation->'name'->'alignment') AS alignment
FROM sanctions.screen('Tianxin Chen');

-- kind: a person query does not hit the vessel of the same name
SELECT s.source_id, e.kind FROM sanctions.screen('Maria Elena') s JOIN sanctions.entity e USING (entity_id) ORDER BY 1;
SELECT s.source_id, e.kind FROM sanctions.screen('Maria Elena', kind => 'person') s JOIN sanctions.entity e USING (entity_id);
SELECT s.source_id, e.kind FROM sanctions.screen('Maria Elena', kind => 'vessel') s JOIN sanctions.entity e USING (entity_id);
-- a date of birth makes the query a person query
SELECT s.source_id, e.kind FROM sanctions.screen('Maria Elena', birth_date => '1960-05-01') s JOIN sanctions.entity e USING (entity_id);

-- weak aliases hit only near-exact
SELECT source_id, matched_name, name_kind, name_score >= 0.95 AS near_exact FROM sanctions.screen('Grand Trading');
SELECT sanctions.similarity('Grant Trading', 'GRAND TRADING') BETWEEN 0.8 AND 0.95 AS typo_above_threshold_below_weak_threshold;
SELECT count(*) AS weak_typo_hits FROM sanctions.screen('Grant Trading', threshold => 0.5) WHERE name_kind = 'weak_alias';

-- secondary attributes: matching DOB +0.05, same year 0, contradicting -0.15, missing 0; country +0.03 / -0.10
SELECT round((score - name_score)::numeric, 2) AS adjustment, explanation->'attributes' AS attributes
FROM sanctions.screen('Chenn Tianxinn', threshold => 0.5, birth_date => '1987-07-28');
SELECT round((score - name_score)::numeric, 2) AS adjustment FROM sanctions.screen('Chenn Tianxinn', threshold => 0.5, birth_date => '1987-01-02');
SELECT round((score - name_score)::numeric, 2) AS adjustment FROM sanctions.screen('Chenn Tianxinn', threshold => 0.5, birth_date => '1990-01-02');
SELECT round((score - name_score)::numeric, 2) AS adjustment FROM sanctions.screen('Chenn Tianxinn', threshold => 0.5);
SELECT round((score - name_score)::numeric, 2) AS adjustment FROM sanctions.screen('Chenn Tianxinn', threshold => 0.5, country => 'china');
SELECT round((score - name_score)::numeric, 2) AS adjustment FROM sanctions.screen('Chenn Tianxinn', threshold => 0.5, country => 'France');
SELECT source_id, round((score - name_score)::numeric, 2) AS adjustment
FROM sanctions.screen('Beijing Jinghua Qidi Electronic Technology Co Ltd', birth_date => NULL, country => 'China');
-- a contradicting DOB can push a weaker name match under the threshold
SELECT count(*) AS hits_without_dob FROM sanctions.screen('Chen Tianxin', threshold => 0.9);
SELECT count(*) AS hits_with_wrong_dob FROM sanctions.screen('Chen Tianxin', threshold => 0.9, birth_date => '1950-01-01');

-- bad arguments
SELECT * FROM sanctions.screen('Chen Tianxin', threshold => 1.5);
SELECT * FROM sanctions.screen('Chen Tianxin', kind => 'ship');
SELECT * FROM sanctions.screen('Chen Tianxin', max_results => 0);
SELECT count(*) FROM sanctions.screen('Chen Tianxin', lists => '{other_list}');

-- audit of screening calls, switched by sanctions.audit_screening
SELECT count(*) AS log_rows FROM sanctions.screening_log;
SET sanctions.audit_screening = on;
SELECT count(*) FROM sanctions.screen('Chen Tianxin', kind => 'person');
SET sanctions.audit_screening = off;
SELECT count(*) FROM sanctions.screen('Chen Tianxin');
SELECT action, role_name = current_user AS who, parameters, list_versions = jsonb_build_object('test_sdn', :v1) AS versions, hits
FROM sanctions.screening_log ORDER BY log_id;

-- batch re-screening of a table
CREATE TABLE counterparty (id int PRIMARY KEY, name text, dob date, country text);
INSERT INTO counterparty VALUES
  (1, 'Chen Tianxin', '1987-07-28', 'China'),
  (2, 'Beijing Jinghua Qidi Electronic Tech Co., Ltd', NULL, NULL),
  (3, 'Grand Trading', NULL, NULL),
  (4, 'John Smith', NULL, NULL),
  (5, 'Acme Rocket Holdings Ltd', NULL, NULL),
  (6, NULL, NULL, NULL),
  (7, '@@@', NULL, NULL);
SELECT * FROM sanctions.screen_table('counterparty', 'name', 'id', birth_date_column => 'dob', country_column => 'country', chunk_rows => 3);
SELECT alert_id, counterparty_table, counterparty_key, counterparty_name, source_id, matched_name, status, source
FROM sanctions.alert ORDER BY alert_id;
-- re-screening adds nothing
SELECT * FROM sanctions.screen_table('counterparty', 'name', 'id', chunk_rows => 100);
SELECT * FROM sanctions.screen_table('counterparty', 'nom', 'id');

-- alert status flow, always logged
SELECT min(alert_id) AS first_alert FROM sanctions.alert \gset
SELECT status, status_changed_by = session_user AS by_me FROM sanctions.set_alert_status(:first_alert, 'escalated', 'check the DOB');
SELECT status FROM sanctions.set_alert_status(:first_alert, 'escalated');
SELECT status FROM sanctions.set_alert_status(:first_alert, 'cleared');
SELECT status FROM sanctions.set_alert_status(:first_alert, 'closed');
SELECT status FROM sanctions.set_alert_status(999, 'open');
SELECT status, status_note FROM sanctions.set_alert_status(:first_alert, 'cleared', 'same DOB, same person: reported');
SELECT action, parameters FROM sanctions.screening_log WHERE action = 'alert_status' ORDER BY log_id;

-- decisions: counterparty 2 is not entity 1002; suppressed on re-screening
SELECT a.entity_id AS qidi_entity FROM sanctions.alert a WHERE counterparty_key = '2' \gset
SELECT sanctions.decide('counterparty', '2', :qidi_entity, 'different company: USCC differs') AS decision_id \gset
SELECT status, status_note FROM sanctions.alert WHERE counterparty_key = '2';
SELECT sanctions.decide('counterparty', '2', :qidi_entity, ' ');
SELECT sanctions.decide('counterparty', '2', :qidi_entity, 'x', '2000-01-01 00:00+00');
DELETE FROM sanctions.alert WHERE counterparty_key = '2';
SELECT * FROM sanctions.screen_table('counterparty', 'name', 'id');
SELECT count(*) AS alerts_for_2 FROM sanctions.alert WHERE counterparty_key = '2';

-- a new list version: entity 1001 changed, 1006 added, 1002 unchanged
SELECT version_id AS v2 FROM sanctions.load_ofac_sdn(convert_to(E:'v2', 'UTF8'), published => '2024-02-01',
                                                      list_code => 'test_sdn', file_names => '{sdn.csv}') \gset
SELECT source_id, change FROM sanctions.list_version_diff WHERE version_id = :v2 ORDER BY 1;
-- delta screening finds the counterparties matching what changed, through an index on their names
ALTER TABLE counterparty ADD COLUMN norm sanctions.normname;
UPDATE counterparty SET norm = name WHERE id <> 7;
CREATE INDEX counterparty_norm ON counterparty USING namesim (norm);
SELECT counterparty_key, counterparty_name, source_id, matched_name, alert_id IS NOT NULL AS alerted
FROM sanctions.screen_delta(:v2, 'counterparty', 'norm', 'id');
SELECT counterparty_key, source_id, list_version = :v2 AS in_v2, status, source FROM sanctions.alert ORDER BY alert_id;
-- the unchanged entity keeps its decision; a decision on a changed entity's old state no longer suppresses
SELECT sanctions.decide('counterparty', '1', (SELECT entity_id FROM sanctions.entity WHERE source_id = '1001' AND valid_to = :v2),
                        'old state decided') > 0 AS decided_old_state;
SELECT * FROM sanctions.screen_table('counterparty', 'name', 'id');
SELECT k AS counterparty_key, (SELECT count(*) FROM sanctions.alert a WHERE a.counterparty_key = k AND a.status = 'open') AS open_alerts
FROM unnest(ARRAY['1', '2']) AS k;
-- revoking the decision on 2 re-opens the pair at the next screening
SELECT sanctions.revoke_decision(:decision_id, 'USCC was misread');
SELECT sanctions.revoke_decision(:decision_id, 'again');
SELECT * FROM sanctions.screen_table('counterparty', 'name', 'id');
SELECT action, parameters - 'decision_id' - 'entity_id' AS parameters FROM sanctions.screening_log
WHERE action IN ('decide', 'revoke_decision') ORDER BY log_id;

-- the trigger, mode block: the insert fails with SQLSTATE SN001 naming the hit
CREATE TABLE payee (id serial PRIMARY KEY, full_name text, born date);
CREATE TRIGGER payee_screen BEFORE INSERT OR UPDATE OF full_name ON payee
  FOR EACH ROW EXECUTE FUNCTION sanctions.screen_trigger('full_name', 'block', 'birth_date=born');
INSERT INTO payee (full_name) VALUES ('Jane Doe');
INSERT INTO payee (full_name) VALUES ('Acme Rocket Holdings Ltd');
\echo :LAST_ERROR_SQLSTATE
UPDATE payee SET full_name = 'Tianxin CHEN' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE payee SET born = '1999-01-01' WHERE id = 1;
SELECT id, full_name FROM payee ORDER BY id;
-- mode alert: the row is written, the alert recorded
CREATE TABLE client (client_no text PRIMARY KEY, legal_name text, kind text);
CREATE TRIGGER client_screen AFTER INSERT OR UPDATE OF legal_name ON client
  FOR EACH ROW EXECUTE FUNCTION sanctions.screen_trigger('legal_name', 'alert', 'kind=kind');
INSERT INTO client VALUES ('C1', 'Maria Elena', 'person'), ('C2', 'Harmless Bakery Ltd', 'organization');
UPDATE client SET legal_name = 'Grand Trading' WHERE client_no = 'C2';
SELECT client_no, legal_name FROM client ORDER BY 1;
SELECT counterparty_table, counterparty_key, counterparty_name, source_id, source FROM sanctions.alert
WHERE source = 'trigger' ORDER BY alert_id;
CREATE TRIGGER client_bad AFTER INSERT ON client FOR EACH ROW EXECUTE FUNCTION sanctions.screen_trigger('legal_name', 'warn');
INSERT INTO client VALUES ('C3', 'Someone');
DROP TRIGGER client_bad ON client;

-- privileges: PUBLIC gets nothing; a screener screens but cannot decide; an analyst decides
CREATE ROLE screening_nobody;
CREATE ROLE screening_clerk IN ROLE sanctions_screener;
CREATE ROLE screening_officer IN ROLE sanctions_analyst;
GRANT SELECT ON counterparty TO screening_clerk;
SET ROLE screening_nobody;
SELECT * FROM sanctions.screen('Chen Tianxin');
SELECT count(*) FROM sanctions.alert;
SELECT sanctions.decide('counterparty', '4', 1, 'no');
RESET ROLE;
SET ROLE screening_clerk;
SELECT source_id FROM sanctions.screen('Chen Tianxin');
SELECT rows_screened FROM sanctions.screen_table('counterparty', 'name', 'id');
SELECT sanctions.decide('counterparty', '4', 1, 'no');
SELECT count(*) FROM sanctions.screening_log;
UPDATE sanctions.alert SET status = 'cleared';
RESET ROLE;
SET ROLE screening_officer;
SELECT status FROM sanctions.set_alert_status((SELECT min(alert_id) FROM sanctions.alert WHERE status = 'open'), 'escalated');
SELECT count(*) > 0 AS reads_log FROM sanctions.screening_log;
DELETE FROM sanctions.screening_log;
RESET ROLE;
-- search_path hijacking: a user's operator or function shadows nothing
CREATE FUNCTION public.similarity(sanctions.normname, sanctions.normname) RETURNS real LANGUAGE sql AS 'SELECT 1::real';
SET search_path = public, sanctions;
SELECT count(*) AS hits_under_hostile_path FROM sanctions.screen('John Smith');
RESET search_path;
DROP FUNCTION public.similarity(sanctions.normname, sanctions.normname);

-- parallel plans for a batch query
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
-- (screen_matches() in the target list is costed per row: the form screen_table() uses)
EXPLAIN (COSTS OFF)
SELECT h.id, (h.m).entity_id, (h.m).score FROM (SELECT c.id, sanctions.screen_matches(c.name) AS m FROM counterparty c) h;
SELECT c.id, m.source_id FROM counterparty c CROSS JOIN LATERAL sanctions.screen_matches(c.name) m WHERE c.id <> 7 ORDER BY 1, 2;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size; RESET max_parallel_workers_per_gather;
SELECT p.proname, p.provolatile, p.proparallel, p.prosecdef FROM pg_proc p
WHERE p.pronamespace = 'sanctions'::regnamespace
  AND p.proname IN ('screen', 'screen_matches', 'screen_table', 'screen_delta', 'screen_trigger', 'attribute_adjustment',
                    'is_decided', 'decide', 'set_alert_status', 'revoke_decision', '_log')
ORDER BY 1;

DROP TABLE counterparty, payee, client;
DROP OWNED BY screening_nobody, screening_clerk, screening_officer;
DROP ROLE screening_nobody, screening_clerk, screening_officer;
\c contrib_regression
DROP DATABASE screening_regress;
