# Alerts, decisions and the audit log survive pg_dump / pg_restore (they are
# extension configuration tables), into a second database of the same cluster
# and into a fresh cluster whose roles the restore has to create; sequences
# continue after the restored rows; a restored decision still suppresses.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('screening_dump');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('postgres', 'CREATE DATABASE dst');

my $sdn = join('\n',
    '1001,"CHEN, Tianxin","individual","NPWMD",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 28 Jul 1987; nationality China."',
    '1002,"BEIJING JINGHUA QIDI ELECTRONIC TECHNOLOGY CO., LTD.",-0- ,"NPWMD",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    '1003,"QIDONG HENGCHENG ELECTRONICS FACTORY",-0- ,"NPWMD",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ') . '\n';

$node->safe_psql('src', qq{
CREATE EXTENSION sanctions;
SELECT sanctions.load_ofac_sdn(convert_to(E'$sdn', 'UTF8'), published => '2024-01-01', list_code => 'dump_sdn');
CREATE TABLE counterparty (id int PRIMARY KEY, name text);
INSERT INTO counterparty VALUES (1, 'Tianxin Chen'), (2, 'Beijing Jinghua Qidi Electronic Technology Co Ltd'),
  (3, 'Qidong Hengcheng Electronics Factory'), (4, 'Jane Doe');
SET sanctions.audit_screening = on;
SELECT count(*) FROM sanctions.screen('陈天新');
SELECT * FROM sanctions.screen_table('counterparty', 'name', 'id');
SELECT sanctions.set_alert_status((SELECT alert_id FROM sanctions.alert WHERE counterparty_key = '1'), 'escalated', 'DOB matches');
SELECT sanctions.decide('counterparty', '2', (SELECT entity_id FROM sanctions.alert WHERE counterparty_key = '2'),
                        'different company', '2999-01-01');
});

my $alerts = q{SELECT string_agg(concat_ws('|', alert_id, counterparty_table, counterparty_key, counterparty_name,
                   entity_id, list_code, source_id, list_version, matched_name, name_kind, score, name_score,
                   explanation::text, status, created_at, created_by, source, status_changed_at, status_changed_by,
                   status_note), E'\n' ORDER BY alert_id) FROM sanctions.alert};
my $decisions = q{SELECT string_agg(concat_ws('|', d.*), E'\n' ORDER BY decision_id) FROM sanctions.decision d};
my $log = q{SELECT string_agg(concat_ws('|', l.*), E'\n' ORDER BY log_id) FROM sanctions.screening_log l};

my %before = map { $_->[0] => $node->safe_psql('src', $_->[1]) }
    (['alerts', $alerts], ['decisions', $decisions], ['log', $log]);
like($before{alerts}, qr/escalated\|.*\n.*cleared\|.*decision 1: different company\n/s, 'the source holds alerts in several states');
is(scalar(split /\n/, $before{log}), 4, 'the source audit log has the screening calls, the status change and the decision');

my $dump = $node->basedir . '/screening.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $node->connstr('src') ], 'pg_dump');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('dst'), $dump ],
    'pg_restore into another database (the roles exist already)');
for my $what (['alerts', $alerts], ['decisions', $decisions], ['log', $log]) {
    is($node->safe_psql('dst', $what->[1]), $before{$what->[0]}, "$what->[0] restored intact");
}
is($node->safe_psql('dst', q{SELECT nextval('sanctions.alert_alert_id_seq') > max(alert_id) FROM sanctions.alert}),
    't', 'the alert sequence continues after the restored rows');
is($node->safe_psql('dst', q{SELECT hits_suppressed || '/' || alerts_new
                             FROM sanctions.screen_table('counterparty', 'name', 'id')}),
    '1/0', 'the restored decision still suppresses, no alert is duplicated');
is($node->safe_psql('dst', q{SELECT has_table_privilege('sanctions_screener', 'sanctions.alert', 'INSERT')
                               AND NOT has_table_privilege('public', 'sanctions.alert', 'SELECT')
                               AND has_function_privilege('sanctions_analyst', 'sanctions.decide(regclass, text, bigint, text, timestamptz)', 'EXECUTE')
                               AND NOT has_function_privilege('sanctions_screener', 'sanctions.decide(regclass, text, bigint, text, timestamptz)', 'EXECUTE')}),
    't', 'privileges of the roles survive');

# A fresh cluster: no sanctions_* roles until the restored CREATE EXTENSION makes them.
my $fresh = PostgreSQL::Test::Cluster->new('screening_fresh');
$fresh->init;
$fresh->start;
is($fresh->safe_psql('postgres', q{SELECT count(*) FROM pg_roles WHERE rolname LIKE 'sanctions\_%'}), '0',
    'the fresh cluster has no sanctions roles');
$fresh->safe_psql('postgres', 'CREATE DATABASE dst');
$fresh->command_ok([ 'pg_restore', '--exit-on-error', '-d', $fresh->connstr('dst'), $dump ],
    'pg_restore into a fresh cluster');
is($fresh->safe_psql('dst', $alerts), $before{alerts}, 'alerts restored intact in the fresh cluster');
is($fresh->safe_psql('postgres', q{SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'sanctions\_%'}),
    'sanctions_admin,sanctions_analyst,sanctions_screener', 'the restore created the roles');

$fresh->stop;
$node->stop;
done_testing();
