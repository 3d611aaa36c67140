insert into user_quests values (1, true), (2, false);
insert into user_quest_tasks values (10, 1);
insert into notes values (1, 'first');
