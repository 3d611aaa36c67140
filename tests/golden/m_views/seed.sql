insert into orders values (1, 50, 'north'), (2, 500, 'south'), (3, 2000, 'south');
refresh materialized view totals;
