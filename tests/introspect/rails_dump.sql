-- In the style of a Rails application's pg_dump --schema-only (reviewed by hand):
-- serial keys through sequences owned by their columns, deferrable keys, partial
-- and trigram indexes, an enum, comments, grants, a view, functions and triggers.
DO $$ BEGIN CREATE ROLE app_reader NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TYPE public.account_state AS ENUM ('active', 'suspended', 'closed');

CREATE FUNCTION public.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE FUNCTION public.normalize_email(email text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT lower(btrim(email)) $$;
REVOKE ALL ON FUNCTION public.normalize_email(text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.normalize_email(text) TO app_reader;

CREATE TABLE public.accounts (
    id bigint NOT NULL,
    email character varying(255) NOT NULL,
    name text,
    state public.account_state DEFAULT 'active'::public.account_state NOT NULL,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);
COMMENT ON TABLE public.accounts IS 'Customer accounts.';
COMMENT ON COLUMN public.accounts.email IS 'Login address, unique without case.';

CREATE SEQUENCE public.accounts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.accounts_id_seq OWNED BY public.accounts.id;

CREATE TABLE public.orders (
    id integer NOT NULL,
    account_id bigint NOT NULL,
    number character varying NOT NULL,
    total numeric(12,2) DEFAULT 0.0 NOT NULL,
    placed_at timestamp(6) without time zone,
    CONSTRAINT orders_total_check CHECK ((total >= (0)::numeric))
);

CREATE SEQUENCE public.orders_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.orders_id_seq OWNED BY public.orders.id;

CREATE SEQUENCE public.invoice_numbers
    START WITH 1000
    INCREMENT BY 10
    NO MINVALUE
    NO MAXVALUE
    CACHE 20;

CREATE TABLE public.invoices (
    id bigint NOT NULL,
    order_id integer NOT NULL,
    invoice_no bigint DEFAULT nextval('public.invoice_numbers'::regclass) NOT NULL
);
CREATE SEQUENCE public.invoices_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE public.invoices_id_seq OWNED BY public.invoices.id;

ALTER TABLE ONLY public.accounts ALTER COLUMN id SET DEFAULT nextval('public.accounts_id_seq'::regclass);
ALTER TABLE ONLY public.orders ALTER COLUMN id SET DEFAULT nextval('public.orders_id_seq'::regclass);
ALTER TABLE ONLY public.invoices ALTER COLUMN id SET DEFAULT nextval('public.invoices_id_seq'::regclass);

ALTER TABLE ONLY public.accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_number_key UNIQUE (number) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE ONLY public.invoices ADD CONSTRAINT invoices_pkey PRIMARY KEY (id);

CREATE UNIQUE INDEX index_accounts_on_lower_email ON public.accounts USING btree (lower((email)::text));
CREATE INDEX index_accounts_on_name_trgm ON public.accounts USING gin (name public.gin_trgm_ops);
CREATE INDEX index_orders_on_account_id ON public.orders USING btree (account_id);
CREATE INDEX index_orders_recent ON public.orders USING btree (placed_at DESC NULLS LAST) WHERE (placed_at IS NOT NULL);

CREATE TRIGGER accounts_touch BEFORE UPDATE ON public.accounts FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT fk_rails_orders_account FOREIGN KEY (account_id) REFERENCES public.accounts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT fk_rails_invoices_order FOREIGN KEY (order_id) REFERENCES public.orders(id) DEFERRABLE;

CREATE VIEW public.active_accounts AS
 SELECT accounts.id,
    accounts.email
   FROM public.accounts
  WHERE (accounts.state = 'active'::public.account_state);

GRANT SELECT ON TABLE public.accounts TO app_reader;
GRANT SELECT ON TABLE public.active_accounts TO app_reader;
GRANT SELECT,USAGE ON SEQUENCE public.invoice_numbers TO app_reader;
