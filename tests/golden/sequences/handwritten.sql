-- The same schema as schema/sequences.schema, written by hand as migration guides
-- spell it (reviewed): the PostgreSQL test applies it and expects the catalog the
-- model describes. The role comes from the platform stand-ins.
create sequence order_no as integer increment by 5 start with 1000 cache 20;
comment on sequence order_no is 'Order numbers, from 1000 in steps of 5.';
create sequence ticket_no minvalue 10 maxvalue 99 cycle;
create sequence countdown as smallint increment by -1;

create table orders (
  id     bigserial primary key,
  no     integer not null default nextval('order_no'),
  ticket bigint not null default nextval('ticket_no'),
  line   smallserial,
  legacy serial
);
alter sequence order_no owned by orders.no;

grant usage, select on sequence order_no to authenticated;
grant usage on sequence ticket_no to authenticated;
