insert into tickets values (1, 'open', '{open}'), (2, 'closed', '{open,closed}');
