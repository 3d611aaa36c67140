insert into quest_tasks values (1, 'walk'), (2, 'read');
