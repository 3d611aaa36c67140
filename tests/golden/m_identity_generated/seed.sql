insert into counters (id, seq, a, b) values (1, 10, 1, 2), (2, 20, 3, 4);
refresh materialized view counter_sums;
