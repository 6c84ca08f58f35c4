# WAL replay of a namesim index on a streaming standby, with
# wal_consistency_checking = 'generic': the standby compares every page it
# replays with the full image logged by the primary, so any change made
# without (or unlike) its WAL record fails the replay.  Then queries on the
# standby must return what they return on the primary.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "wal_consistency_checking = 'generic'");
# full-page images make much WAL: keep it until a slow standby has it
$primary->append_conf('postgresql.conf', "wal_keep_size = '2GB'");
$primary->start;
my $backup = 'backup';
$primary->backup($backup);
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, $backup, has_streaming => 1);
$standby->start;

# names made from real list tokens; the middle name varies to make ~3000 names
my $names_sql = q{
INSERT INTO names (name)
SELECT (f.t || ' ' || g.t || ' ' || s.t)::sanctions.normname
  FROM generate_series(%d, %d) i,
  LATERAL (SELECT (ARRAY['Vladimir','Igor','Boris','Arkady','Roman','Yuri','Kirill','Oleg','Gennady','Ramzan','Muhammad','Ahmad','Ali','Hassan','Saud'])[1 + i %% 15] AS t) f,
  LATERAL (SELECT (ARRAY['Putin','Sechin','Rotenberg','Timchenko','Kovalchuk','Kadyrov','Deripaska','Al-Qadri','Al-Qatirji','Al-Qahtani','Melli','Sepah','Mahan','Rosneft','Gazprom','Sberbank','Hamas'])[1 + (i / 15) %% 17] AS t) g,
  LATERAL (SELECT 'x' || (i / 255)::text || CASE WHEN i %% 7 = 0 THEN 'ovich' ELSE 'ev' END AS t) s;
};

my $queries = q{ARRAY['vladimir putin', 'igor sechin', 'boris rotenberg x3ev', 'ali hassan', 'bank melli', 'ramzan kadyrov x1ovich']::sanctions.normname[]};

sub results
{
	my ($node) = @_;
	return $node->safe_psql('postgres', qq{
SET enable_seqscan = off; SET enable_bitmapscan = off;
SELECT q, ARRAY(SELECT id FROM names WHERE name OPERATOR(sanctions.%) q ORDER BY id),
       ARRAY(SELECT id FROM (SELECT id, name OPERATOR(sanctions.<->) q AS d FROM names
                             ORDER BY name OPERATOR(sanctions.<->) q LIMIT 5) t ORDER BY d, id)
  FROM unnest($queries) q;});
}

sub check_standby
{
	my ($what) = @_;
	$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
	is(results($standby), results($primary), "standby answers as the primary after $what");
}

$primary->safe_psql('postgres', 'CREATE EXTENSION sanctions');
$primary->safe_psql('postgres', 'CREATE TABLE names (id serial PRIMARY KEY, name sanctions.normname)');
$primary->safe_psql('postgres', sprintf($names_sql, 1, 1500));
$primary->safe_psql('postgres', 'CREATE INDEX names_idx ON names USING namesim (name)');
check_standby('index build');

$primary->safe_psql('postgres', sprintf($names_sql, 1501, 3000));
check_standby('inserts');

$primary->safe_psql('postgres', 'DELETE FROM names WHERE id % 3 = 0');
$primary->safe_psql('postgres', 'VACUUM names');
check_standby('delete and vacuum');

$primary->safe_psql('postgres', sprintf($names_sql, 3001, 4000));
check_standby('inserts into space freed by vacuum');

$primary->safe_psql('postgres', 'REINDEX INDEX names_idx');
check_standby('reindex');

$standby->safe_psql('postgres', q{SELECT sanctions.namesim_check('names_idx', true)});
pass('namesim_check passes on the standby');

isnt($primary->safe_psql('postgres', q{SELECT count(*) FROM names WHERE name OPERATOR(sanctions.%) 'vladimir putin'}),
	'0', 'the compared queries find rows');

$standby->stop;
$primary->stop;
done_testing();
