-- The same schema as schema/types.schema, written by hand as PostgreSQL's
-- documentation spells it (reviewed): the PostgreSQL test applies it and expects
-- the catalog the model describes.
create extension if not exists citext;
create extension if not exists hstore;
create extension if not exists ltree;

create type contact_kind as enum ('person', 'company');

create type address as (street text, city text, zip varchar(10));
comment on type address is 'Where someone lives.';
comment on column address.city is 'The city, as written on letters.';

create type card as (kind contact_kind, home address, tags text[]);

create domain email as citext
  constraint email_format check (value ~* '^[^@]+@[^@]+$');
comment on domain email is 'An email address, compared without case.';

create domain quantity as int default 1 not null check (value > 0) check (value < 1000000);
comment on domain quantity is 'A positive quantity, one by default.';

create table contacts (
  id        bigint generated always as identity primary key,
  mail      email not null,
  home      address,
  card      card,
  qty       quantity not null,
  flags     bit varying(8),
  code      bit(4),
  seen_at   timestamp(3) with time zone,
  opens     time(0) without time zone,
  wait      interval(3),
  balance   money,
  network   cidr,
  device    macaddr,
  device8   macaddr8,
  body      tsvector,
  search    tsquery,
  ages      int4range,
  stays     tstzmultirange,
  location  point,
  area      box,
  doc       xml,
  path      jsonpath,
  label     character varying(20),
  initials  char(3),
  ratio     float8,
  attrs     hstore,
  tree      ltree,
  embedding extensions.embedding,
  lsn       pg_lsn
);
