insert into authors (id, name) values (1, 'Ada'), (2, 'Grace');
