insert into notes values (1, 'postgres');
insert into plain values (1);
