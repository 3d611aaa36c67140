-- The same schema as schema/overloads.schema, written by hand (reviewed): the
-- PostgreSQL test applies it and expects the catalog the model describes.
create function describe(what text) returns text language sql immutable as $$ select 'a ' || what $$;
create function describe(n int) returns text language sql immutable as $$ select n::text || ' shapes' $$;

create function area(r float8) returns float8 language sql immutable as $$ select pi() * r * r $$;
comment on function area(float8) is 'Area of a circle.';
grant execute on function area(float8) to authenticated;

create function area(w int, h int) returns int language sql immutable as $$ select w * h $$;
comment on function area(int, int) is 'Area of a rectangle.';
revoke execute on function area(int, int) from public;
grant execute on function area(int, int) to authenticated;

create function touch() returns trigger language plpgsql as $$
begin
  new.label := coalesce(new.label, 'untitled');
  return new;
end $$;

create table shapes (
  id int generated always as identity primary key,
  label text not null default describe('shape'),
  w int not null,
  h int not null
);
create trigger shapes_touch before insert on shapes for each row execute function touch();

create procedure touch(new_label text) language sql as $$ update shapes set label = new_label $$;

create view areas as select id, area(w, h) as area from shapes;
grant select on areas to authenticated;
