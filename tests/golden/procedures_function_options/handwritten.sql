-- The same schema as schema/routines.schema, written by hand (reviewed): the
-- PostgreSQL test applies it and expects the catalog the model describes.
create table events (
  id bigint generated always as identity primary key,
  at timestamptz not null default now()
);

create procedure archive_old(p_days int default 30) language plpgsql as $$
begin
  delete from events where at < now() - make_interval(days => p_days);
end $$;
comment on procedure archive_old(int) is 'Deletes old events.';
revoke execute on procedure archive_old(int) from public;
grant execute on procedure archive_old(int) to authenticated;

create function recent(n int) returns setof events language sql stable parallel safe cost 10 rows 50 as $$
  select * from events order by at desc limit n
$$;

create function is_even(x int) returns boolean language sql immutable strict leakproof parallel safe as $$ select x % 2 = 0 $$;
