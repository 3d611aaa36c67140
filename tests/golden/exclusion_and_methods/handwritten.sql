-- The same schema as schema/bookings.schema, written by hand (reviewed): the
-- PostgreSQL test applies it and expects the catalog the model describes.
create extension if not exists btree_gist;

create table bookings (
  id     int primary key,
  room   int not null,
  during tstzrange not null,
  email  text,
  exclude using gist (room with =, during with &&),
  constraint no_overlap exclude using gist (room with =, during with &&) where (email is not null) deferrable,
  exclude using gist (lower(email) with =)
);
create unique index on bookings (email) nulls not distinct;
create index on bookings using hash (room);
create index on bookings using spgist (during);
create index on bookings using brin (id);
