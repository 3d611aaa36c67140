-- The same schema as schema/items.schema, written by hand (reviewed): the PostgreSQL
-- test applies it and expects the catalog the model describes.
create table audit_log (id bigint generated always as identity primary key, note text not null);

create function audit_rows() returns trigger language plpgsql as $$
begin
  insert into audit_log (note) select 'inserted ' || count(*) from inserted;
  return null;
end $$;
create function log_moves() returns trigger language plpgsql as $$
begin
  insert into audit_log (note) select 'moved ' || count(*) from before_rows;
  return null;
end $$;
create function check_stock() returns trigger language plpgsql as $$
begin
  if new.qty < 0 then raise exception 'negative stock'; end if;
  return null;
end $$;

create table items (id int primary key, qty int not null);
create trigger audit after insert on items referencing new table as inserted
  for each statement execute function audit_rows();
create trigger moved after update on items referencing old table as before_rows new table as after_rows
  for each statement execute function log_moves();
create constraint trigger stock after insert or update on items deferrable initially deferred
  for each row execute function check_stock();
