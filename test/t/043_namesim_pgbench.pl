# Concurrency: several pgbench clients insert, delete and query (%, %> and
# ORDER BY <->, through the index) while another runs VACUUM, for a bounded
# number of transactions.  No client may fail; afterwards the index must be
# consistent with its table and answer like a sequential scan.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('bench');
$node->init;
$node->append_conf('postgresql.conf', "max_connections = 20\nautovacuum = off");
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION sanctions;
CREATE TABLE names (id bigserial PRIMARY KEY, name sanctions.normname);
CREATE FUNCTION some_name(i bigint) RETURNS sanctions.normname LANGUAGE sql AS $$
  SELECT ((ARRAY['Vladimir','Igor','Boris','Arkady','Roman','Yuri','Kirill','Oleg','Gennady','Ramzan','Ali','Hassan'])[1 + i % 12]
          || ' ' || (ARRAY['Putin','Sechin','Rotenberg','Timchenko','Kovalchuk','Kadyrov','Deripaska','Al-Qadri','Melli','Sepah','Mahan'])[1 + (i / 12) % 11]
          || ' x' || (i % 997)::text)::sanctions.normname $$;
INSERT INTO names (name) SELECT some_name(g) FROM generate_series(1, 3000) g;
CREATE INDEX names_idx ON names USING namesim (name);
ALTER DATABASE postgres SET enable_seqscan = off;
});

$node->pgbench(
	'--no-vacuum --client=5 --jobs=2 --transactions=150',
	0,
	[qr{actually processed: 750/750}],
	[qr{^$}],
	'concurrent inserts, deletes, index scans and vacuum',
	{
		'namesim_insert@4' => q{
\set i random(1, 1000000)
INSERT INTO names (name) SELECT some_name(:i + g) FROM generate_series(1, 4) g;
},
		'namesim_delete@2' => q{
\set i random(1, 3000)
DELETE FROM names WHERE id IN (SELECT id FROM names WHERE id % 3000 = :i LIMIT 3);
},
		'namesim_select@4' => q{
\set i random(1, 1000000)
SELECT count(*) FROM names WHERE name OPERATOR(sanctions.%) some_name(:i);
SELECT count(*) FROM names WHERE name OPERATOR(sanctions.%>) sanctions.name_query(some_name(:i), 0.6);
SELECT id FROM names ORDER BY name OPERATOR(sanctions.<->) some_name(:i) LIMIT 10;
},
		'namesim_vacuum@1' => q{
VACUUM names;
},
	});

is($node->psql('postgres', q{SELECT sanctions.namesim_check('names_idx', true)}),
	0, 'namesim_check finds the index consistent with its table');

my ($bad, $found) = split /\|/, $node->safe_psql('postgres', q{
CREATE TEMP TABLE q AS SELECT some_name(i * 53) AS q FROM generate_series(1, 40) i;
SET enable_seqscan = off; SET enable_bitmapscan = off;
CREATE TEMP TABLE by_index AS SELECT q, ARRAY(SELECT id FROM names WHERE name OPERATOR(sanctions.%) q.q ORDER BY id) AS ids FROM q;
SET enable_seqscan = on; SET enable_indexscan = off;
CREATE TEMP TABLE by_seq AS SELECT q, ARRAY(SELECT id FROM names WHERE name OPERATOR(sanctions.%) q.q ORDER BY id) AS ids FROM q;
SELECT count(*) FILTER (WHERE i.ids IS DISTINCT FROM s.ids), sum(cardinality(s.ids))
  FROM by_index i JOIN by_seq s USING (q);
});
is($bad, '0', 'index scans return what sequential scans return after the run');
cmp_ok($found, '>', 0, 'the compared queries find rows');

$node->stop;
done_testing();
