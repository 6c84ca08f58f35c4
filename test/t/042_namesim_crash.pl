# Crash safety: the server is killed (immediate stop, no shutdown
# checkpoint) while several clients insert into a table with a namesim
# index; after crash recovery the index must be consistent
# (namesim_check with heapallindexed) and answer like a sequential scan.
# The same for an unlogged table, whose index must come back empty and
# usable from its init fork.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', "max_connections = 20\nrestart_after_crash = on");
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION sanctions;
CREATE TABLE names (id bigserial PRIMARY KEY, name sanctions.normname);
CREATE INDEX names_idx ON names USING namesim (name);
CREATE UNLOGGED TABLE unlogged_names (name sanctions.normname);
CREATE INDEX unlogged_idx ON unlogged_names USING namesim (name);
CREATE FUNCTION some_name(i bigint) RETURNS sanctions.normname LANGUAGE sql AS $$
  SELECT ((ARRAY['Vladimir','Igor','Boris','Arkady','Roman','Yuri','Kirill','Oleg','Gennady','Ramzan','Ali','Hassan'])[1 + i % 12]
          || ' ' || (ARRAY['Putin','Sechin','Rotenberg','Timchenko','Kovalchuk','Kadyrov','Deripaska','Al-Qadri','Melli','Sepah','Mahan'])[1 + (i / 12) % 11]
          || ' x' || (i % 997)::text)::sanctions.normname $$;
});

# concurrent inserts, each transaction a few rows, until the crash
my $script = $node->basedir . '/insert.sql';
PostgreSQL::Test::Utils::append_to_file($script, q{
\set i random(1, 1000000)
BEGIN;
INSERT INTO names (name) SELECT some_name(:i + g) FROM generate_series(1, 5) g;
INSERT INTO unlogged_names SELECT some_name(:i);
COMMIT;
});
my ($out, $err) = ('', '');
my $bench = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '4', '-j', '2', '-T', '30', '-f', $script,
	  '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$out, '2>', \$err);

# let the inserts run, then kill the server in the middle of them
$node->poll_query_until('postgres', 'SELECT count(*) > 2000 FROM names')
  or die 'inserts did not start';
$node->stop('immediate');
$bench->finish;	# the clients lose their connections
$node->start;

my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM names');
cmp_ok($rows, '>', 2000, "rows committed before the crash survive ($rows)");

is($node->psql('postgres', q{SELECT sanctions.namesim_check('names_idx', true)}),
	0, 'namesim_check finds the index consistent with its table after crash recovery');

my $compare = q{
CREATE TEMP TABLE q AS SELECT some_name(i * 37) AS q FROM generate_series(1, 40) i;
SET enable_seqscan = off; SET enable_bitmapscan = off;
CREATE TEMP TABLE by_index AS SELECT q, ARRAY(SELECT id FROM names WHERE name OPERATOR(sanctions.%) q.q ORDER BY id) AS ids,
  ARRAY(SELECT d FROM (SELECT (name OPERATOR(sanctions.<->) q.q)::float8 d FROM names ORDER BY name OPERATOR(sanctions.<->) q.q LIMIT 10) t ORDER BY d) AS top FROM q;
SET enable_seqscan = on; SET enable_indexscan = off;
CREATE TEMP TABLE by_seq AS SELECT q, ARRAY(SELECT id FROM names WHERE name OPERATOR(sanctions.%) q.q ORDER BY id) AS ids,
  ARRAY(SELECT d FROM (SELECT (name OPERATOR(sanctions.<->) q.q)::float8 d FROM names ORDER BY name OPERATOR(sanctions.<->) q.q LIMIT 10) t ORDER BY d) AS top FROM q;
SELECT count(*) FILTER (WHERE i.ids IS DISTINCT FROM s.ids OR i.top IS DISTINCT FROM s.top),
       sum(cardinality(s.ids))
  FROM by_index i JOIN by_seq s USING (q);
};
my ($bad, $found) = split /\|/, $node->safe_psql('postgres', $compare);
is($bad, '0', 'index scans return what sequential scans return after the crash');
cmp_ok($found, '>', 0, 'the compared queries find rows');

# more inserts after recovery go into the recovered index
$node->safe_psql('postgres', 'INSERT INTO names (name) SELECT some_name(g) FROM generate_series(1, 500) g');
is($node->psql('postgres', q{SELECT sanctions.namesim_check('names_idx', true)}),
	0, 'the recovered index takes new rows');

# the unlogged table is empty after the crash, its index usable
is($node->safe_psql('postgres', 'SELECT count(*) FROM unlogged_names'), '0',
	'the unlogged table is reset by crash recovery');
$node->safe_psql('postgres', 'INSERT INTO unlogged_names SELECT some_name(g) FROM generate_series(1, 300) g');
is($node->psql('postgres', q{SELECT sanctions.namesim_check('unlogged_idx', true)}),
	0, 'the unlogged index restarts from a valid init fork');
is($node->safe_psql('postgres', q{SET enable_seqscan = off;
	SELECT count(*) FROM unlogged_names WHERE name OPERATOR(sanctions.%) some_name(5)}),
	$node->safe_psql('postgres', q{SET enable_indexscan = off; SET enable_bitmapscan = off;
	SELECT count(*) FROM unlogged_names WHERE name OPERATOR(sanctions.%) some_name(5)}),
	'the unlogged index answers like a sequential scan');

$node->stop;
done_testing();
