-- The same schema as schema/privileges.schema, written by hand (reviewed): default
-- privileges first, so that the objects created after them take them (as Supabase's
-- setup does); the PostgreSQL test expects the catalog the model describes. The roles
-- come from the platform stand-ins.
create schema app;
alter default privileges in schema public grant select on tables to authenticated;
alter default privileges in schema app grant all on tables to service_role;
alter default privileges grant usage, select on sequences to authenticated;
alter default privileges revoke execute on functions from public;
alter default privileges in schema public grant execute on functions to authenticated;

create table notes (id int primary key, body text not null);
create table app.secrets (id int primary key);
create sequence order_no;
create view v as select id from notes;
create function f() returns int language sql as $$ select 1 $$;
