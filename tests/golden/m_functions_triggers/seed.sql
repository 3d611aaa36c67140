insert into events values (1, 'a', null);
