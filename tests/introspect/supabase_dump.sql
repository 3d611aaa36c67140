-- In the style of a Supabase project's dump (reviewed by hand): an app schema,
-- extensions, a domain and a composite type, identity keys, row level security,
-- default privileges, range partitions with a default, a statement trigger with a
-- transition table, an exclusion constraint, a materialized view, overloads and a
-- procedure.
DO $$ BEGIN CREATE ROLE anon NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE authenticated NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'Application tables.';
GRANT USAGE ON SCHEMA app TO authenticated;

ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO authenticated;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

CREATE DOMAIN app.email AS public.citext CONSTRAINT email_check CHECK ((VALUE OPERATOR(public.~) '^[^@]+@[^@]+$'::public.citext));
CREATE TYPE app.money_amount AS (currency character(3), cents bigint);

CREATE FUNCTION app.current_user_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
GRANT ALL ON FUNCTION app.current_user_id() TO authenticated;

CREATE FUNCTION app.price(amount app.money_amount) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT (amount).currency || ' ' || ((amount).cents / 100.0)::text $$;
CREATE FUNCTION app.price(cents bigint) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT 'USD ' || (cents / 100.0)::text $$;
GRANT ALL ON FUNCTION app.price(bigint) TO anon;

CREATE TABLE app.profiles (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email app.email NOT NULL,
    display_name text,
    balance app.money_amount,
    CONSTRAINT profiles_pkey PRIMARY KEY (id)
);
ALTER TABLE app.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY profiles_self ON app.profiles FOR SELECT TO authenticated USING ((id = app.current_user_id()));
CREATE POLICY profiles_update ON app.profiles FOR UPDATE TO authenticated USING ((id = app.current_user_id())) WITH CHECK ((id = app.current_user_id()));
GRANT SELECT ON TABLE app.profiles TO authenticated;
GRANT UPDATE ON TABLE app.profiles TO authenticated;

CREATE TABLE app.bookings (
    id bigint GENERATED ALWAYS AS IDENTITY,
    room integer NOT NULL,
    during tstzrange NOT NULL,
    profile_id uuid NOT NULL,
    CONSTRAINT bookings_pkey PRIMARY KEY (id),
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&),
    CONSTRAINT bookings_profile_id_fkey FOREIGN KEY (profile_id) REFERENCES app.profiles(id) ON DELETE CASCADE
);
GRANT SELECT ON TABLE app.bookings TO authenticated;

CREATE TABLE app.events (
    id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    kind text NOT NULL,
    CONSTRAINT events_pkey PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE INDEX events_kind_idx ON app.events USING btree (kind);
GRANT SELECT ON TABLE app.events TO authenticated;
CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');
CREATE TABLE app.events_rest PARTITION OF app.events DEFAULT;

CREATE TABLE app.audit_counts (
    kind text NOT NULL,
    n bigint DEFAULT 0 NOT NULL,
    CONSTRAINT audit_counts_pkey PRIMARY KEY (kind)
);
GRANT SELECT ON TABLE app.audit_counts TO authenticated;

CREATE FUNCTION app.count_events() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO app.audit_counts (kind, n) SELECT kind, count(*) FROM added GROUP BY kind
  ON CONFLICT (kind) DO UPDATE SET n = app.audit_counts.n + excluded.n;
  RETURN NULL;
END $$;
CREATE TRIGGER events_count AFTER INSERT ON app.events REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION app.count_events();

CREATE PROCEDURE app.prune_events(before timestamp with time zone)
    LANGUAGE sql
    AS $$ DELETE FROM app.events WHERE at < before $$;

CREATE MATERIALIZED VIEW app.event_totals AS
 SELECT events.kind,
    count(*) AS n
   FROM app.events
  GROUP BY events.kind;
CREATE UNIQUE INDEX event_totals_kind_idx ON app.event_totals USING btree (kind);
GRANT SELECT ON TABLE app.event_totals TO authenticated;
COMMENT ON MATERIALIZED VIEW app.event_totals IS 'Events per kind.';
