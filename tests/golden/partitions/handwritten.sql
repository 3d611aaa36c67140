-- The same schema as schema/partitions.schema, written by hand (reviewed): the
-- PostgreSQL test applies it and expects the catalog the model describes.
create table events (
  id bigint not null,
  created_at timestamptz not null,
  kind text not null,
  primary key (id, created_at)
) partition by range (created_at);
create table events_2025 partition of events for values from ('2025-01-01') to ('2026-01-01');
create table events_2026 partition of events for values from ('2026-01-01') to ('2027-01-01');
create table events_other partition of events default;
create index on events (kind);

create table tags (kind text not null, name text not null) partition by list (kind);
create table tags_ab partition of tags for values in ('a', 'b');

create table buckets (id int primary key) partition by hash (id);
create table buckets_0 partition of buckets for values with (modulus 2, remainder 0);
create table buckets_1 partition of buckets for values with (modulus 2, remainder 1);
