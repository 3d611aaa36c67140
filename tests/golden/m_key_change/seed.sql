insert into owners values (1, 'a'), (2, 'b');
insert into pets values (1, 1), (2, 2);
