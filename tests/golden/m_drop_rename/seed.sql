insert into scratch values (1, 'x');
insert into people values (1, 'Ada');
insert into pets values (1, 1);
