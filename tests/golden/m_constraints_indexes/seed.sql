insert into owners values (1), (2);
insert into items values (1, 1, 'a', 5, 'open', 'Lamp'), (2, 2, 'b', 7, 'archived', 'Desk');
