insert into accounts (id, email, nickname, balance, note, legacy) values (1, 'a@example.com', 'ann', 5, 'n', 'old'), (2, 'b@example.com', null, 0, 'm', null);
